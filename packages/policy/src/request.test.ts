import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { readReviewRequest } from './request.js';
import type { NamespacePolicies } from './resource-types.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { DIGEST_A, podRequest } from './test-support/resources.js';

const NO_POLICIES: NamespacePolicies = {
  authorities: [],
  genericAttestationPolicies: [],
  imageSecurityPolicies: [],
  invalid: [],
};
const IMAGE = `gcr.io/team/app@${DIGEST_A}`;

/** Under `noPolicy: allow`, anything Signet can read with no policy is admitted: only a malformed request is not. */
async function decideWithoutPolicy(request: unknown) {
  return decide({
    request,
    policies: NO_POLICIES,
    settings: { noPolicy: 'allow' },
    metadata: new MemoryMetadata(),
  });
}

function withObject(object: unknown, extra: Record<string, unknown> = {}) {
  return { ...podRequest([IMAGE]), object, ...extra };
}

function podWithSpec(spec: unknown) {
  return withObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec });
}

describe('malformed objects are denied as bad requests, never admitted', () => {
  it.each([
    ['a CREATE with object null', withObject(null), 'carries a null object'],
    ['a CREATE with no object', withObject(undefined), 'carries no object'],
    ['an object that is a string', withObject('pod'), 'not a JSON object'],
    ['a numeric image', podWithSpec({ containers: [{ name: 'a', image: 42 }] }), 'image is a number'],
    ['containers as a map', podWithSpec({ containers: { a: { image: IMAGE } } }), 'containers is an object'],
    ['a container that is a string', podWithSpec({ containers: [IMAGE] }), 'containers[0] is a string'],
    ['a null spec', podWithSpec(null), 'spec is null'],
    ['init containers null', podWithSpec({ containers: [], initContainers: null }), 'initContainers is null'],
    [
      'an image volume whose reference is a list',
      podWithSpec({ containers: [], volumes: [{ name: 'v', image: { reference: [IMAGE] } }] }),
      'image.reference is a list',
    ],
    [
      'a Deployment whose template is a list',
      {
        ...podRequest([IMAGE]),
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        object: { kind: 'Deployment', metadata: { name: 'web' }, spec: { template: [] } },
      },
      'spec.template is a list',
    ],
  ])('%s', async (_name, request, problem) => {
    const decision = await decideWithoutPolicy(request);
    expect(decision.allowed).toBe(false);
    expect(decision.violations).toEqual([expect.objectContaining({ code: 'REQUEST_INVALID', image: '*' })]);
    expect(decision.violations[0]?.reason).toContain(problem);
  });

  it('still reads a DELETE, whose object is null, as nothing to review', async () => {
    const decision = await decideWithoutPolicy(withObject(null, { operation: 'DELETE' }));
    expect(decision.allowed).toBe(true);
  });

  it('reads a well-formed object as before', async () => {
    expect((await decideWithoutPolicy(podRequest([IMAGE]))).allowed).toBe(true);
  });
});

describe('the namespace is request.namespace alone', () => {
  it('denies a Pod whose request names no namespace, even when its object does', async () => {
    for (const namespace of [undefined, '']) {
      const request = { ...podRequest([IMAGE]), namespace };
      const reading = readReviewRequest(request);
      expect(reading).toMatchObject({ ok: false, problem: expect.stringContaining('names no namespace') });
      const decision = await decideWithoutPolicy(request);
      expect(decision).toMatchObject({ allowed: false, violations: [{ code: 'REQUEST_INVALID' }] });
    }
  });

  it("reads the policies' namespace from the request, not from the object", () => {
    const request = { ...podRequest([IMAGE], { namespace: 'team-a' }), namespace: 'team-b' };
    expect(readReviewRequest(request)).toMatchObject({ ok: true, request: { namespace: 'team-b' } });
  });

  it('reads the namespace, images and breakglass once, for whoever keys on them', () => {
    const reading = readReviewRequest(
      podRequest([IMAGE], { namespace: 'team-a', annotations: { 'kritis.grafeas.io/breakglass': 'true' } }),
    );
    expect(reading).toMatchObject({
      ok: true,
      request: {
        namespace: 'team-a',
        images: { toJudge: [IMAGE], unchanged: [] },
        breakglass: { requested: true },
      },
    });
  });
});

describe('request.kind and object.kind must agree', () => {
  const deploymentObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'a', image: IMAGE }] } } },
  };

  it('denies as a bad request a review whose request.kind contradicts object.kind', async () => {
    // A Pod review carrying a Deployment: judged by either kind alone, the decision would rest on a guess.
    const request = withObject(deploymentObject);
    expect(readReviewRequest(request)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('request.kind is Pod but object.kind is Deployment'),
    });
    const decision = await decideWithoutPolicy(request);
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'malformed-request',
      denial: 'request',
      violations: [{ code: 'REQUEST_INVALID', image: '*' }],
    });
  });

  it('denies an UPDATE whose oldObject is of another kind', async () => {
    const request = { ...podRequest([IMAGE]), operation: 'UPDATE', oldObject: deploymentObject };
    expect(readReviewRequest(request)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('oldObject.kind is Deployment'),
    });
    expect((await decideWithoutPolicy(request)).reason).toBe('malformed-request');
  });

  it('still reads an object without kind by request.kind, and a non-string kind is malformed', async () => {
    const { kind: _kind, ...withoutKind } = podRequest([IMAGE]).object as Record<string, unknown>;
    expect(readReviewRequest(withObject(withoutKind))).toMatchObject({ ok: true, request: { kind: 'Pod' } });
    const garbled = withObject({ ...withoutKind, kind: 42 });
    expect(readReviewRequest(garbled)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('object.kind is a number'),
    });
  });
});
