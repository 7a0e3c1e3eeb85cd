import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OccurrenceIndex } from '../metadata/occurrence-index.js';
import type { RunningWebhook, WebhookConfig } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';

interface Answer {
  response: { allowed: boolean; status?: { code: number; message: string } };
}

/** The index of a filter-ignoring backend over time: new signatures, a restarting backend, old data. */
describe('the webhook’s index of an open-source Grafeas (filters ignored)', () => {
  let world: E2eWorld;
  let oss: RunningEmulator;

  beforeAll(async () => {
    world = await createE2eWorld();
    oss = await startEmulator({ flavor: 'oss', store: world.emulatorStore });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    await oss?.close();
  });

  async function startIndexed(index: WebhookConfig['index']): Promise<[RunningWebhook, OccurrenceIndex]> {
    const webhook = await world.startWebhook({
      store: `grafeas:${oss.url}`,
      api: 'v1beta1',
      index,
      // Every review asks the index: no remembered admissions.
      decisionMemo: { ttlMs: 0 },
    });
    if (!(webhook.metadata instanceof OccurrenceIndex)) throw new Error('the webhook did not use the index');
    await webhook.metadata.readSince(0);
    return [webhook, webhook.metadata];
  }

  async function decide(webhook: RunningWebhook, image: string): Promise<Answer['response']> {
    const review = rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image);
    const result = await world.post(webhook, review, '?timeout=3s');
    expect(result.status).toBe(200);
    return (result.json as Answer).response;
  }

  it('admits an image signed after start within two refresh intervals', async () => {
    const [webhook, index] = await startIndexed({ refreshMs: 200 });
    const image = pinned('signed-after-start');
    expect((await decide(webhook, image)).allowed).toBe(false);
    await world.sign(image);
    const signedAt = Date.now();
    // The refresh timer, not a lookup, brings it in: wait for a read that started after the signature.
    await index.readSince(signedAt);
    expect(await decide(webhook, image)).toMatchObject({ allowed: true });
    await webhook.stop();
  });

  it('neither loses the index nor blocks decisions when the backend restarts in the middle of a refresh', async () => {
    const [webhook, index] = await startIndexed({ refreshMs: 3_600_000 });
    const port = oss.port;
    const refreshing = index.refresh();
    await oss.close();
    expect(await decide(webhook, pinned('ok/img'))).toMatchObject({ allowed: true });
    await refreshing;
    expect(index.readiness().ready).toBe(true);
    expect(await decide(webhook, pinned('ok/c'))).toMatchObject({ allowed: true });
    oss = await startEmulator({ flavor: 'oss', store: world.emulatorStore, port });
    const restarted = Date.now();
    void index.refresh();
    await index.readSince(restarted);
    expect(await decide(webhook, pinned('ok/debug'))).toMatchObject({ allowed: true });
    const unsigned = await decide(webhook, pinned('never-signed'));
    expect(unsigned.status?.code).toBe(403);
    await webhook.stop();
  });

  it('fails closed when the index is older than --index-max-age', async () => {
    let now = Date.now();
    const [webhook] = await startIndexed({ clock: () => now, maxAgeMs: 60_000, refreshMs: 3_600_000 });
    expect(await decide(webhook, pinned('ok/img'))).toMatchObject({ allowed: true });
    now += 61_000;
    const response = await decide(webhook, pinned('ok/img'));
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(503);
    expect(response.status?.message).toContain('--index-max-age');
    await webhook.stop();
  });
});
