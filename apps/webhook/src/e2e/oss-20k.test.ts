import type { OccurrenceSpec } from '@signet/grafeas-client';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { GUIDE, NOTE_NAME } from '@signet/guide-world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OccurrenceIndex } from '../metadata/occurrence-index.js';
import type { RunningWebhook, WebhookConfig } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { httpsRequest } from '../test-support/https-client.js';
import { metricValue } from '../test-support/metrics.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';

interface Answer {
  response: { allowed: boolean; status?: { code: number; message: string } };
}

const OTHERS = 10_000;

function otherImage(n: number): string {
  return `https://registry.example/others/app${n}@sha256:${n.toString(16).padStart(64, '0')}`;
}

/** 10,000 attestations on the attestor's note and 10,000 vulnerabilities, all for other images. */
function crowd(): OccurrenceSpec[] {
  const attestations = Array.from(
    { length: OTHERS },
    (_, n): OccurrenceSpec => ({
      kind: 'ATTESTATION',
      resourceUri: otherImage(n),
      noteName: NOTE_NAME,
      signature: {
        form: 'generic',
        serializedPayload: new TextEncoder().encode('{"critical":{}}'),
        signatures: [{ publicKeyId: 'someone-else', signature: new Uint8Array(64).fill(n % 256) }],
      },
    }),
  );
  const vulnerabilities = Array.from(
    { length: OTHERS },
    (_, n): OccurrenceSpec => ({
      kind: 'VULNERABILITY',
      resourceUri: otherImage(n),
      noteName: `projects/goog-vulnz/notes/CVE-2024-${n}`,
      severity: 'CRITICAL',
      effectiveSeverity: 'CRITICAL',
      fixAvailable: true,
      packages: [{ affectedCpeUri: 'cpe:/a', affectedPackage: 'openssl', fixAvailable: true }],
    }),
  );
  return [...attestations, ...vulnerabilities];
}

describe('the webhook against open-source Grafeas (filters ignored) holding 20,000 occurrences', () => {
  let world: E2eWorld;
  let oss: RunningEmulator;
  let counter = 0;

  beforeAll(async () => {
    world = await createE2eWorld();
    // Loaded directly: 20 batch calls through the API would only slow the test down.
    world.emulatorStore.insertOccurrences(GUIDE.project, crowd(), false);
    oss = await startEmulator({ flavor: 'oss', store: world.emulatorStore });
  }, 300_000);
  afterAll(async () => {
    await world?.close();
    await oss?.close();
  });

  async function startIndexed(config: Partial<WebhookConfig> = {}): Promise<RunningWebhook> {
    const webhook = await world.startWebhook({ store: `grafeas:${oss.url}`, api: 'v1beta1', ...config });
    expect(webhook.metadata).toBeInstanceOf(OccurrenceIndex);
    await (webhook.metadata as OccurrenceIndex).readSince(0);
    const ready = await httpsRequest(`${webhook.url}/readyz`, { ca: world.cert.certPem });
    expect(ready.status).toBe(200);
    return webhook;
  }

  function podWith(image: string) {
    counter += 1;
    const review = capturedRequest('1.32', '01-Pod-CREATE.json').review;
    return rewriteImages(review, () => image) as { request: { uid: string } };
  }

  async function decide(webhook: RunningWebhook, image: string): Promise<Answer['response']> {
    const result = await world.post(webhook, podWith(image), '?timeout=3s');
    expect(result.status).toBe(200);
    return (result.json as Answer).response;
  }

  describe('with the default refresh', () => {
    let webhook: RunningWebhook;
    beforeAll(async () => {
      webhook = await startIndexed();
    }, 300_000);
    afterAll(async () => {
      await webhook?.stop();
    });

    it('is ready once the index is filled, and shows its age and size', async () => {
      const metrics = (await httpsRequest(`${webhook.url}/metrics`, { ca: world.cert.certPem })).text;
      const onNote = world.emulatorStore.pageOccurrences({
        noteName: NOTE_NAME,
        pageSize: Number.POSITIVE_INFINITY,
      }).items.length;
      expect(onNote).toBeGreaterThan(OTHERS);
      expect(metricValue(metrics, 'signet_index_occurrences', { scope: `note ${NOTE_NAME}` })).toBe(onNote);
      // The project's own index keeps vulnerabilities and scan status; its attestations are the note's.
      const inProject = world.emulatorStore
        .pageOccurrences({ project: GUIDE.project, pageSize: Number.POSITIVE_INFINITY })
        .items.filter((o) => o.kind !== 'ATTESTATION').length;
      expect(inProject).toBeGreaterThanOrEqual(OTHERS);
      expect(metricValue(metrics, 'signet_index_occurrences', { scope: `project ${GUIDE.project}` })).toBe(
        inProject,
      );
      expect(metrics).toContain('signet_index_age_seconds{scope="note');
      expect(metrics).toContain('signet_index_last_read_seconds{scope="note');
      expect(
        metricValue(metrics, 'signet_index_read_slower_than_max_age', { scope: `note ${NOTE_NAME}` }),
      ).toBe(0);
      expect(
        metricValue(metrics, 'signet_index_read_seconds_count', { result: 'ok' }),
      ).toBeGreaterThanOrEqual(2);
    });

    it('admits a signed image within ?timeout=3s', async () => {
      expect(await decide(webhook, pinned('ok/img'))).toMatchObject({ allowed: true });
    });

    it('denies an unsigned image with 403 (not 503)', async () => {
      const response = await decide(webhook, pinned(`unsigned-${counter}`));
      expect(response.allowed).toBe(false);
      expect(response.status?.code).toBe(403);
      expect(response.status?.message).toContain(NOTE_NAME);
    });
  });
});
