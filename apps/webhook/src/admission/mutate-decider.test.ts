import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignetError } from '@signet/errors';
import { createRegistryClient, dockerConfigCredentials } from '@signet/registry';
import { fakeManifest, type LoopbackServer, startLoopbackServer } from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type WebhookMetrics } from '../monitoring/metrics.js';
import { metricValue } from '../test-support/metrics.js';
import { applyPatch, DIGEST_A, mutateReview, objectOf, podSpec } from '../test-support/mutate-reviews.js';
import { admissionReviewResponse } from './admission-response.js';
import { ReviewDeadline } from './deadline.js';
import type { ReviewDecision } from './decision.js';
import type { ResolveMode } from './image-pins.js';
import { createMutateDecider, type PullSecretsReader } from './mutate-decider.js';
import { parseAdmissionReview } from './review.js';

// A loopback stand-in for a registry (real HTTP, the real registry client): app:v1 exists, app:v2
// needs Basic credentials, app:hang never answers; anything else is unknown (404).
const manifest = fakeManifest('v1');
const BASIC = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
let registry: LoopbackServer;
let host: string;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '';
  if (path === '/v2/app/manifests/hang') return; // never answered
  const authorized = path === '/v2/app/manifests/v1' || req.headers.authorization === BASIC;
  if (path === '/v2/app/manifests/v2' && !authorized) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="stand-in"' }).end();
  } else if (path === '/v2/app/manifests/v1' || path === '/v2/app/manifests/v2') {
    res.writeHead(200, { 'content-type': manifest.mediaType, 'docker-content-digest': manifest.digest });
    res.end(req.method === 'HEAD' ? undefined : manifest.body);
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
  }
}

beforeAll(async () => {
  registry = await startLoopbackServer(serve);
  host = `127.0.0.1:${registry.port}`;
});
afterAll(() => registry.stop());

function setup(mode: ResolveMode = 'pods', pullSecrets?: PullSecretsReader) {
  const metrics = createMetrics();
  const decide = createMutateDecider({
    mode,
    registry: createRegistryClient({ insecureRegistries: [host] }),
    metrics,
    ...(pullSecrets ? { pullSecrets } : {}),
  });
  return { metrics, decide };
}

async function run(
  decide: ReturnType<typeof setup>['decide'],
  review: Record<string, unknown>,
  deadline = new ReviewDeadline(),
): Promise<ReviewDecision> {
  const parsed = parseAdmissionReview(review);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return decide(parsed.review, deadline);
}

function pod(images: string[]) {
  return mutateReview({ kind: 'Pod', object: objectOf('Pod', podSpec({ containers: images })) });
}

async function resolutions(metrics: WebhookMetrics, result: string): Promise<number> {
  return metricValue(await metrics.registry.metrics(), 'signet_registry_resolutions_total', { result });
}

describe('POST /mutate decisions against a registry stand-in', () => {
  it('pins a tag by the digest the registry states, once per distinct tag', async () => {
    const { decide, metrics } = setup();
    const image = `${host}/app:v1`;
    const review = pod([image, image]);
    const seen = registry.seen.length;
    const decision = await run(decide, review);
    expect(decision).toMatchObject({ allowed: true, reason: 'pinned', images: [image] });
    const object = (review.request as { object: unknown }).object;
    const patched = applyPatch(object, decision.patch ?? []) as { spec: unknown };
    expect(patched.spec).toEqual(
      podSpec({ containers: [`${image}@${manifest.digest}`, `${image}@${manifest.digest}`] }),
    );
    expect(registry.seen.slice(seen).map((r) => `${r.method} ${r.path}`)).toEqual([
      'HEAD /v2/app/manifests/v1',
    ]);
    expect(await resolutions(metrics, 'fetched')).toBe(1);
    await run(decide, review);
    expect(await resolutions(metrics, 'cached')).toBe(1);
    expect(registry.seen.length).toBe(seen + 1);
  });

  it('answers v1beta1 in v1beta1 with patchType JSONPatch and the patch in base64', async () => {
    const { decide } = setup();
    const review = mutateReview({
      kind: 'Pod',
      apiVersion: 'admission.k8s.io/v1beta1',
      object: objectOf('Pod', podSpec({ containers: [`${host}/app:v1`] })),
    });
    const decision = await run(decide, review);
    const answer = admissionReviewResponse('admission.k8s.io/v1beta1', 'uid-1', decision);
    expect(answer.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(answer.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(answer.response.patch ?? '', 'base64').toString('utf8'))).toEqual([
      { op: 'test', path: '/spec/containers/0/image', value: `${host}/app:v1` },
      { op: 'replace', path: '/spec/containers/0/image', value: `${host}/app:v1@${manifest.digest}` },
    ]);
  });

  it('admits an already-pinned Pod without asking the registry or sending a patch', async () => {
    const { decide } = setup();
    const seen = registry.seen.length;
    const decision = await run(decide, pod([`${host}/app@${DIGEST_A}`]));
    expect(decision).toMatchObject({ allowed: true, reason: 'already-pinned' });
    expect(decision.patch).toBeUndefined();
    expect(admissionReviewResponse('admission.k8s.io/v1', 'u', decision).response.patch).toBeUndefined();
    expect(registry.seen.length).toBe(seen);
  });

  it.each<[ResolveMode, string, string]>([
    ['pods', 'Deployment', 'not-mutated'],
    ['off', 'Pod', 'resolve-off'],
  ])('--resolve-tags %s admits a %s without a patch (%s)', async (mode, kind, reason) => {
    const { decide } = setup(mode);
    const object = objectOf(kind, podSpec({ containers: [`${host}/app:unknown`] }));
    const decision = await run(decide, mutateReview({ kind, object }));
    expect(decision).toMatchObject({ allowed: true, reason });
    expect(decision.patch).toBeUndefined();
  });

  it('--resolve-tags all pins a CronJob template', async () => {
    const { decide } = setup('all');
    const object = objectOf('CronJob', podSpec({ containers: [`${host}/app:v1`] }));
    const decision = await run(decide, mutateReview({ kind: 'CronJob', object }));
    expect(decision.patch?.[1]).toEqual({
      op: 'replace',
      path: '/spec/jobTemplate/spec/template/spec/containers/0/image',
      value: `${host}/app:v1@${manifest.digest}`,
    });
  });

  it('denies an unknown tag, naming the registry, HTTP 404 and the fix', async () => {
    const { decide, metrics } = setup();
    const decision = await run(decide, pod([`${host}/app:v9`]));
    expect(decision).toMatchObject({ allowed: false, reason: 'registry-error', denial: 'policy' });
    expect(decision.message).toContain(`${host}/app:v9 (registry ${host}, HTTP 404)`);
    expect(decision.message).toContain('fix: check the image name and tag');
    expect(decision.patch).toBeUndefined();
    expect(await resolutions(metrics, 'REGISTRY_TAG_UNKNOWN')).toBe(1);
  });

  it("denies a 401 naming the pull secret; the review's credentials from pullSecrets get it through", async () => {
    const anonymous = await run(setup().decide, pod([`${host}/app:v2`]));
    expect(anonymous.message).toContain(`(registry ${host}, HTTP 401)`);
    expect(anonymous.message).toContain('imagePullSecret');

    const asked: unknown[] = [];
    const pullSecrets: PullSecretsReader = async (target, signal) => {
      asked.push({ ...target, aborted: signal.aborted });
      return dockerConfigCredentials(
        JSON.stringify({ auths: { [host]: { username: 'alice', password: 's3cret' } } }),
        'secret team/pull',
      );
    };
    const review = pod([`${host}/app:v2`, `${host}/app:v1`]);
    const decision = await run(setup('pods', pullSecrets).decide, review);
    expect(decision).toMatchObject({ allowed: true, reason: 'pinned' });
    expect(asked).toEqual([
      {
        namespace: 'team',
        podSpec: podSpec({ containers: [`${host}/app:v2`, `${host}/app:v1`] }),
        aborted: false,
      },
    ]);
  });

  it('a 401 names the pull secrets the reader had to skip, with their fix; a 404 does not', async () => {
    const skipped = {
      message: 'pull secret team/regcred was not found',
      fix: 'create it: kubectl create secret docker-registry regcred -n team …',
    };
    const pullSecrets: PullSecretsReader = async () =>
      Object.assign(() => undefined, { problems: [skipped] });
    const { decide } = setup('pods', pullSecrets);
    const refused = await run(decide, pod([`${host}/app:v2`]));
    expect(refused).toMatchObject({ allowed: false, reason: 'registry-error' });
    expect(refused.message).toContain(`(registry ${host}, HTTP 401)`);
    expect(refused.message).toContain(
      'skipped pull secrets: pull secret team/regcred was not found (fix: create it: kubectl create secret docker-registry regcred -n team …)',
    );
    const unknown = await run(decide, pod([`${host}/app:v9`]));
    expect(unknown.message).toContain('HTTP 404');
    expect(unknown.message).not.toContain('skipped pull secrets');
  });

  it('does not read pull secrets when there is nothing to resolve', async () => {
    let calls = 0;
    const { decide } = setup('pods', async () => {
      calls++;
      return undefined;
    });
    await run(decide, pod([`${host}/app@${DIGEST_A}`]));
    expect(calls).toBe(0);
  });

  it("denies with the pull-secret reader's message and fix when it throws", async () => {
    const { decide } = setup('pods', async () => {
      throw new SignetError('PULL_SECRET_UNREADABLE', 'secret team/pull is not readable', 'grant get on it');
    });
    const decision = await run(decide, pod([`${host}/app:v1`]));
    expect(decision).toMatchObject({ allowed: false, reason: 'pull-secrets' });
    expect(decision.message).toContain('secret team/pull is not readable; fix: grant get on it');
  });

  it('a resolution that cannot finish before the deadline is denied before it, naming the registry', async () => {
    const { decide, metrics } = setup();
    // The review's remaining time on a clock that stands still: the decider gives up at 90% of it.
    const deadline = new ReviewDeadline(200, () => 0);
    const decision = await run(decide, pod([`${host}/app:hang`]), deadline);
    expect(deadline.expired).toBe(false);
    expect(decision).toMatchObject({ allowed: false, reason: 'registry-error', denial: 'backend' });
    expect(decision.message).toContain(`(registry ${host})`);
    expect(decision.message).toContain('before the deadline');
    expect(await resolutions(metrics, 'REGISTRY_TIMEOUT')).toBe(1);
  });

  it('denies an image name that does not parse as a bad request', async () => {
    const decision = await run(setup().decide, pod(['Not A Valid Image']));
    expect(decision).toMatchObject({ allowed: false, reason: 'registry-error', denial: 'request' });
    expect(decision.message).toContain('Not A Valid Image');
  });

  it.each([
    ['containers that are not a list', { containers: 'app:v1' }, 'spec.containers is a string, not a list'],
    [
      'an image that is not a string',
      { containers: [{ name: 'c', image: 7 }] },
      'spec.containers[0].image is a number',
    ],
  ])('denies a malformed Pod (%s) with a clear reason', async (_what, spec, problem) => {
    const review = mutateReview({ kind: 'Pod', object: { kind: 'Pod', metadata: { name: 'web' }, spec } });
    const decision = await run(setup().decide, review);
    expect(decision).toMatchObject({ allowed: false, reason: 'malformed-request', denial: 'request' });
    expect(decision.message).toContain(problem);
  });
});
