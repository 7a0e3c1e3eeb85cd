import { createHash } from 'node:crypto';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { GUIDE, NOTE_NAME } from '@signet/guide-world';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OccurrenceIndex } from '../metadata/occurrence-index.js';
import type { RunningWebhook, WebhookConfig } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { eventually } from '../test-support/eventually.js';
import { GatedReader } from '../test-support/gated-reader.js';
import { httpsRequest } from '../test-support/https-client.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';

interface Answer {
  response: { allowed: boolean; status?: { code: number; message: string } };
}

interface ReadyBody {
  ready: boolean;
  reasons: string[];
  warming?: string[];
}

/** An image of a GCR project no policy or flag names: its vulnerabilities are in that project. */
function gcrImage(project: string, name: string): string {
  return `gcr.io/${project}/${name}@sha256:${createHash('sha256').update(name).digest('hex')}`;
}

/**
 * The webhook over the emulator's OSS flavour (filters ignored), through a reader that can hold a
 * whole-scope read at a gate and counts them: warming before ready, a project first seen in a review,
 * misses answered from the index.
 */
describe('the webhook’s index while it warms, and its misses (OSS flavour)', () => {
  let world: E2eWorld;
  let oss: RunningEmulator;
  let store: MetadataStore;

  beforeAll(async () => {
    world = await createE2eWorld();
    oss = await startEmulator({ flavor: 'oss', store: world.emulatorStore });
    store = await openMetadataStore(`grafeas:${oss.url}`, { api: 'v1beta1', retry: { attempts: 1 } });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    await store?.close();
    await oss?.close();
  });

  async function startGated(
    reader: GatedReader,
    index: WebhookConfig['index'] = {},
    logger?: pino.Logger,
  ): Promise<[RunningWebhook, OccurrenceIndex]> {
    const webhook = await world.startWebhook({
      store: reader,
      index,
      decisionMemo: { ttlMs: 0 },
      ...(logger ? { logger } : {}),
    });
    if (!(webhook.metadata instanceof OccurrenceIndex)) throw new Error('the webhook did not use the index');
    return [webhook, webhook.metadata];
  }

  async function readyz(webhook: RunningWebhook): Promise<[number, ReadyBody]> {
    const result = await httpsRequest(`${webhook.url}/readyz`, { ca: world.cert.certPem });
    return [result.status, result.json as ReadyBody];
  }

  async function decide(
    webhook: RunningWebhook,
    image: string,
    timeout: string,
  ): Promise<Answer['response']> {
    const review = rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image);
    const result = await world.post(webhook, review, `?timeout=${timeout}`);
    expect(result.status).toBe(200);
    return (result.json as Answer).response;
  }

  it('fills the scopes the policies and --project name before /readyz says ready, and names them meanwhile', async () => {
    const reader = new GatedReader(store);
    const held = reader.hold(`project ${GUIDE.project}`);
    const lines: { msg?: string; scope?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const [webhook, index] = await startGated(reader, {}, logger);
    await held.reached;
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'index scope warming before ready', scope: `project ${GUIDE.project}` }),
    );
    const [status, body] = await readyz(webhook);
    expect(status).toBe(503);
    expect(body.reasons).toContain(`project ${GUIDE.project}: first read in progress`);
    expect(body.warming).toContain(`project ${GUIDE.project}: first read in progress`);
    held.release();
    await index.readSince(0);
    expect(await readyz(webhook)).toEqual([200, { ready: true, reasons: [], warming: [] }]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'index scope warm', scope: `project ${GUIDE.project}` }),
    );
    expect(await decide(webhook, pinned('ok/img'), '10s')).toMatchObject({ allowed: true });
    await webhook.stop();
  });

  it('answers a review of a project first seen within its deadline, failing closed; admits once it is warm', async () => {
    const image = gcrImage('fresh-project', 'app');
    await world.sign(image);
    const reader = new GatedReader(store);
    const [webhook, index] = await startGated(reader, { refreshMs: 3_600_000 });
    await index.readSince(0);
    const held = reader.hold('project fresh-project');
    const warming = await decide(webhook, image, '3s');
    expect(warming.allowed).toBe(false);
    expect(warming.status?.code).toBe(503);
    expect(warming.status?.message).toContain('the index of project fresh-project is warming');
    expect(warming.status?.message).toMatch(/Retry in about \d+s/);
    // It is read in the background, and the webhook stays ready meanwhile.
    const [status, body] = await readyz(webhook);
    expect(status).toBe(200);
    expect(body.warming).toEqual(['project fresh-project: first read in progress']);
    held.release();
    await eventually(() => index.readiness().warming?.length === 0, 'the first read of fresh-project');
    expect(await decide(webhook, image, '3s')).toMatchObject({ allowed: true });
    expect(reader.reads.filter((scope) => scope === 'project fresh-project')).toHaveLength(1);
    await webhook.stop();
  });

  it('answers a miss from the index without waiting, and reads the note at once: the retry admits a signature written before the review', async () => {
    const reader = new GatedReader(store);
    const [webhook, index] = await startGated(reader, { refreshMs: 3_600_000 });
    await index.readSince(0);
    const image = pinned('signed-late');
    // Signed after the index's read (sign, then deploy): the next timed refresh is an hour away.
    await world.sign(image);
    const noteRead = reader.hold(`note ${NOTE_NAME}`);
    const miss = await decide(webhook, image, '10s');
    expect(miss.allowed).toBe(false);
    expect(miss.status?.code).toBe(403);
    expect(miss.status?.message).toMatch(
      /in the index of .* read \d+s ago: a signature written before this review is seen by the read under way, within about \d+s/,
    );
    await noteRead.reached;
    noteRead.release();
    await index.refresh(); // the note's read the miss started is under way: this waits for it
    expect(await decide(webhook, image, '10s')).toMatchObject({ allowed: true });
    expect(reader.reads.filter((scope) => scope === `note ${NOTE_NAME}`)).toHaveLength(2);
    await webhook.stop();
  });
});
