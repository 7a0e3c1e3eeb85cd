import { Agent } from 'node:https';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld } from '../test-support/e2e-world.js';
import { type HttpResult, httpsRequest } from '../test-support/https-client.js';
import { allCapturedRequests, rewriteImages } from '../test-support/reviews.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every answer is a complete AdmissionReview for the request asked, or a JSON 400. */
function checkAnswer(sent: unknown, result: HttpResult): void {
  if (result.status === 400) {
    expect(result.json).toMatchObject({ error: { code: 'MALFORMED_REVIEW', message: expect.any(String) } });
    return;
  }
  expect(result.status).toBe(200);
  const request = sent as { apiVersion: string; request: { uid: string } };
  const answer = result.json as {
    apiVersion: string;
    kind: string;
    response: { uid: string; allowed: boolean; status?: { code: number; message: string } };
  };
  expect(answer.apiVersion).toBe(request.apiVersion);
  expect(answer.kind).toBe('AdmissionReview');
  expect(answer.response.uid).toBe(request.request.uid);
  expect(typeof answer.response.allowed).toBe('boolean');
  if (!answer.response.allowed) {
    expect(typeof answer.response.status?.code).toBe('number');
    expect(typeof answer.response.status?.message).toBe('string');
  }
}

/** All paths into a JSON value, so a mutation can land anywhere in the review. */
function pathsOf(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function mutate(
  root: Json,
  path: (string | number)[],
  action: 'delete' | 'replace',
  replacement: Json,
): Json {
  if (path.length === 0) return action === 'delete' ? null : replacement;
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (action === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

describe('fuzzing /validate with random and mutated AdmissionReviews', () => {
  let world: E2eWorld;
  let webhook: RunningWebhook;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const captured = () =>
    allCapturedRequests().map((r) => rewriteImages(r.review, (image) => world.imageFor(image)) as Json);

  beforeAll(async () => {
    world = await createE2eWorld();
    webhook = await world.startWebhook();
  });
  afterAll(async () => {
    agent.destroy();
    await world?.close();
  });

  const send = (body: string) =>
    httpsRequest(`${webhook.url}/validate?timeout=5s`, {
      method: 'POST',
      body,
      ca: world.cert.certPem,
      agent,
    });

  it('mutated captured reviews: a valid AdmissionReview or a 400, never anything else', async () => {
    const reviews = captured();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: reviews.length - 1 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('delete', 'replace') as fc.Arbitrary<'delete' | 'replace'>,
            fc.jsonValue(),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'),
        async (index, mutations, apiVersion) => {
          let review: Json = { ...(reviews[index] as Record<string, Json>), apiVersion };
          for (const [pick, action, replacement] of mutations) {
            const paths = pathsOf(review);
            review = mutate(
              review,
              paths[pick % paths.length] as (string | number)[],
              action,
              replacement as Json,
            );
          }
          checkAnswer(review, await send(JSON.stringify(review)));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('random JSON bodies: a 400 unless they happen to be reviews', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        checkAnswer(value, await send(JSON.stringify(value)));
      }),
      { numRuns: 150 },
    );
  });

  it('random bytes: a JSON 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        fc.pre(!isJson);
        const result = await send(text);
        expect(result.status).toBe(400);
        expect((result.json as { error: { code: string } }).error.code).toBe('MALFORMED_REVIEW');
      }),
      { numRuns: 150 },
    );
  });

  it('reviews with random objects in them are always answered in full', async () => {
    const objectArb = fc.dictionary(
      fc.constantFrom('metadata', 'spec', 'kind', 'apiVersion', 'template'),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Pod', 'Deployment', 'CronJob', 'Job', 'EphemeralContainers', 'Service'),
        fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
        objectArb,
        fc.option(objectArb, { nil: null }),
        fc.boolean(),
        async (kind, operation, object, oldObject, dryRun) => {
          const review = {
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            request: {
              uid: 'fuzz-uid',
              kind: { group: '', version: 'v1', kind },
              resource: { group: '', version: 'v1', resource: 'pods' },
              namespace: 'default',
              operation,
              object,
              oldObject,
              dryRun,
            },
          };
          const result = await send(JSON.stringify(review));
          expect(result.status).toBe(200);
          checkAnswer(review, result);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('still serves normally after the fuzzing', async () => {
    const [first] = captured();
    checkAnswer(first, await send(JSON.stringify(first)));
    expect((await httpsRequest(`${webhook.url}/healthz`, { ca: world.cert.certPem })).status).toBe(200);
  });
});
