import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { type FaultMode, FaultyProxy } from '../test-support/faulty-proxy.js';
import { httpsRequest } from '../test-support/https-client.js';
import { metricValue } from '../test-support/metrics.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';

interface Answer {
  response: { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };
}

const TIMEOUT_MS = 2000;

describe('metadata backend faults: a denial within the deadline, and the server keeps serving', () => {
  let world: E2eWorld;
  let proxy: FaultyProxy;
  let closed: RunningWebhook;
  let open: RunningWebhook;
  let counter = 0;

  beforeAll(async () => {
    world = await createE2eWorld();
    proxy = new FaultyProxy(world.guide.emulator.url);
    const store = `containeranalysis:${await proxy.start()}`;
    closed = await world.startWebhook({ store });
    open = await world.startWebhook({ store, settings: { onBackendError: 'allow' } });
  });
  afterAll(async () => {
    await world?.close();
    await proxy?.stop();
  });

  /** A review of an image nobody has looked up yet, so the backend must be asked. */
  const freshReview = (signed: boolean) => {
    counter += 1;
    const image = pinned(`fault-${counter}-${signed ? 'signed' : 'unsigned'}`);
    return { image, body: rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image) };
  };

  async function decideUnder(webhook: RunningWebhook, mode: FaultMode) {
    proxy.mode = mode;
    const { image, body } = freshReview(true);
    proxy.mode = 'pass';
    await world.sign(image);
    proxy.mode = mode;
    const started = Date.now();
    const result = await world.post(webhook, body, `?timeout=${TIMEOUT_MS / 1000}s`);
    const elapsed = Date.now() - started;
    proxy.mode = 'pass';
    return { result, answer: result.json as Answer, elapsed };
  }

  for (const mode of ['down', 'slow', 'error', 'garbage'] as const) {
    it(`store ${mode}: denies a signed image in time, saying which backend failed`, async () => {
      const { result, answer, elapsed } = await decideUnder(closed, mode);
      expect(result.status).toBe(200);
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.code).toBe(503);
      const message = answer.response.status?.message ?? '';
      expect(message).toMatch(
        mode === 'slow'
          ? /too slow|deadline|did not answer|could not decide/
          : new RegExp(proxy.url.replace(/[.:/]/g, '.')),
      );
      expect(elapsed).toBeLessThan(TIMEOUT_MS);
      // The same signed image is admitted once the backend is healthy again: failures are not cached.
      const healthy = await world.post(closed, (await freshAfterFault()).body);
      expect((healthy.json as Answer).response.allowed).toBe(true);
    });

    it(`store ${mode} under --on-backend-error allow: admits with a warning, in time`, async () => {
      const { answer, elapsed } = await decideUnder(open, mode);
      expect(answer.response.allowed).toBe(true);
      expect(answer.response.warnings?.join(' ')).toMatch(/backend|deadline|could not decide/);
      expect(elapsed).toBeLessThan(TIMEOUT_MS);
    });
  }

  it('looks up the N new images of one review in parallel', async () => {
    const images = [1, 2, 3, 4].map((i) => pinned(`parallel-${i}`));
    for (const image of images) await world.sign(image);
    const body = capturedRequest('1.32', '01-Pod-CREATE.json').review;
    const spec = (body.request as { object: { spec: { containers: { name: string; image: string }[] } } })
      .object.spec;
    spec.containers = images.map((image, i) => ({ name: `c${i}`, image }));
    proxy.peakInFlight = 0;
    proxy.slowMs = 300;
    proxy.mode = 'slow';
    const answer = (await world.post(closed, body, '?timeout=10s')).json as Answer;
    proxy.mode = 'pass';
    proxy.slowMs = 10_000;
    expect(answer.response.allowed).toBe(true);
    expect(proxy.peakInFlight).toBeGreaterThanOrEqual(4);
  });

  it('denies when the store answers JSON that holds no readable occurrence', async () => {
    const { answer } = await decideUnder(closed, 'garbage-json');
    expect(answer.response.allowed).toBe(false);
  });

  it('kept serving throughout, and counted the backend errors', async () => {
    const health = await httpsRequest(`${closed.url}/healthz`, { ca: world.cert.certPem });
    expect(health.status).toBe(200);
    const metrics = (await httpsRequest(`${closed.url}/metrics`, { ca: world.cert.certPem })).text;
    expect(metricValue(metrics, 'signet_metadata_backend_errors_total')).toBeGreaterThanOrEqual(3);
    expect(
      metricValue(metrics, 'signet_admission_decisions_total', { decision: 'deny' }),
    ).toBeGreaterThanOrEqual(4);
    const openMetrics = (await httpsRequest(`${open.url}/metrics`, { ca: world.cert.certPem })).text;
    const admitted = (reason: string) =>
      metricValue(openMetrics, 'signet_admission_decisions_total', { decision: 'allow', reason });
    // down, error and garbage are admitted by the policy's fail-open; slow by the deadline.
    expect(admitted('backend-error')).toBe(3);
    expect(admitted('deadline')).toBe(1);
  });

  async function freshAfterFault() {
    const fresh = freshReview(true);
    await world.sign(fresh.image);
    return fresh;
  }
});
