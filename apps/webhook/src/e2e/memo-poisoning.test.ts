import { podReview } from '@signet/guide-world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { httpsRequest } from '../test-support/https-client.js';
import { metricValue } from '../test-support/metrics.js';

interface Answer {
  response: { allowed: boolean; status?: { code: number; reason: string; message: string } };
}

/**
 * The probe of issue 10: a review with no `request.namespace` found no policy and was admitted
 * (`noPolicy: allow`), and the admission was remembered under the object's namespace, so the API
 * server's real review of the same unsigned image was admitted from the memo. Over real HTTPS.
 */
describe('the decision memo cannot be poisoned (real HTTPS server)', () => {
  let world: E2eWorld;
  let webhook: RunningWebhook;
  const unsigned = pinned('bad/poison');

  beforeAll(async () => {
    world = await createE2eWorld();
    webhook = await world.startWebhook({ settings: { noPolicy: 'allow' } });
  });
  afterAll(async () => {
    await world?.close();
  });

  const ask = async (review: unknown) => {
    const result = await world.post(webhook, review);
    expect(result.status).toBe(200);
    return (result.json as Answer).response;
  };

  it('denies a review without request.namespace, and the real review after it is still judged', async () => {
    for (const missing of [undefined, '']) {
      const forged = podReview({ name: 'forged', images: [unsigned] });
      (forged.request as { namespace?: string }).namespace = missing;
      const first = await ask(forged);
      expect(first.allowed).toBe(false);
      expect(first.status).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect(first.status?.message).toContain('names no namespace');

      const real = await ask(podReview({ name: 'real', images: [unsigned] }));
      expect(real.allowed).toBe(false);
      expect(real.status?.code).toBe(403);
      expect(real.status?.message).toContain('no attestation by AttestationAuthority');
    }
    const metrics = (await httpsRequest(`${webhook.url}/metrics`, { ca: world.cert.certPem })).text;
    expect(metricValue(metrics, 'signet_admission_decisions_total', { reason: 'malformed-request' })).toBe(2);
  });

  it('keeps answering a namespace without policies from the memo only with its own admissions', async () => {
    const elsewhere = podReview({ name: 'a', namespace: 'no-policies', images: [unsigned] });
    expect((await ask(elsewhere)).allowed).toBe(true);
    expect((await ask(podReview({ name: 'b', images: [unsigned] }))).allowed).toBe(false);
  });

  it('answers 400 to a review whose request.kind contradicts object.kind, even where no policy applies', async () => {
    const forged = podReview({ name: 'forged', namespace: 'no-policies', images: [unsigned] });
    (forged.request as { kind: { kind: string } }).kind.kind = 'ConfigMap';
    const answer = await ask(forged);
    expect(answer.allowed).toBe(false);
    expect(answer.status).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(answer.status?.message).toContain('request.kind is ConfigMap but object.kind is Pod');
  });
});
