import { join } from 'node:path';
import {
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
} from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonPatchOperation } from '../admission/decision.js';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld } from '../test-support/e2e-world.js';
import { httpsRequest } from '../test-support/https-client.js';
import { applyPatch } from '../test-support/mutate-reviews.js';
import { capturedRequest, requestOf, rewriteImages } from '../test-support/reviews.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry, umoci and skopeo (a missing tool fails).
// The webhook over real TLS resolves a tag against a real registry; /validate then judges the digest.

interface Answer {
  response: {
    allowed: boolean;
    patchType?: string;
    patch?: string;
    status?: { code: number; message: string };
  };
}

let world: E2eWorld;
let registry: RunningRegistry;
let webhook: RunningWebhook;
let digest: string;

beforeAll(async () => {
  world = await createE2eWorld();
  registry = await startRegistry(join(world.dir, 'registry'), { kind: 'anonymous' });
  const layout = await makeLayout(world.dir);
  await push(layout, 'single', `${registry.host}/app:v1`);
  digest = (await skopeoDigests(`${registry.host}/app:v1`)).raw;
  webhook = await world.startWebhook({
    resolve: { mode: 'pods', registry: { insecureRegistries: [registry.host] } },
  });
});

afterAll(async () => {
  await world?.close();
  await registry?.stop();
});

function podReviewFor(image: string): Record<string, unknown> {
  return rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image);
}

async function post(path: '/mutate' | '/validate', review: unknown): Promise<Answer> {
  const answer = await httpsRequest(`${webhook.url}${path}?timeout=10s`, {
    method: 'POST',
    body: JSON.stringify(review),
    ca: world.cert.certPem,
  });
  expect(answer.status).toBe(200);
  return answer.json as Answer;
}

function patchOf(answer: Answer): JsonPatchOperation[] {
  expect(answer.response.patchType).toBe('JSONPatch');
  return JSON.parse(Buffer.from(answer.response.patch ?? '', 'base64').toString('utf8'));
}

describe('POST /mutate against docker-registry (distribution 2.8)', () => {
  it('pins a tag to the digest skopeo sees; /validate then judges that digest and admits it once signed', async () => {
    const image = `${registry.host}/app:v1`;
    const review = podReviewFor(image);
    const before = await post('/validate', review);
    expect(before.response.allowed).toBe(false);
    expect(before.response.status?.message).toContain("Signet's resolve hook");

    const mutated = await post('/mutate', review);
    expect(mutated.response.allowed).toBe(true);
    const patch = patchOf(mutated);
    expect(patch.filter((op) => op.op === 'replace').map((op) => op.value)).toContain(`${image}@${digest}`);
    const request = requestOf(review);
    const patched = { ...review, request: { ...request, object: applyPatch(request.object, patch) } };

    // Signed before /validate first sees the digest (its "nothing found" would be cached for a while).
    await world.sign(`${registry.host}/app@${digest}`);
    const signed = await post('/validate', patched);
    expect(signed.response, signed.response.status?.message).toMatchObject({ allowed: true });
  });

  it('denies an unknown tag, naming the registry and HTTP 404', async () => {
    const answer = await post('/mutate', podReviewFor(`${registry.host}/app:nope`));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.patch).toBeUndefined();
    expect(answer.response.status?.code).toBe(403);
    expect(answer.response.status?.message).toContain(`(registry ${registry.host}, HTTP 404)`);
    expect(answer.response.status?.message).toContain('fix: check the image name and tag');
  });

  it('leaves an image pinned by digest alone', async () => {
    const answer = await post('/mutate', podReviewFor(`${registry.host}/app@${digest}`));
    expect(answer.response).toEqual({ uid: expect.any(String), allowed: true });
  });
});
