import { type ReviewRequest, readReviewRequest } from '@signet/policy';
import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  DIGEST_A,
  DIGEST_B,
  mutateReview,
  objectOf,
  podSpec,
} from '../test-support/mutate-reviews.js';
import { jsonPointer, pinPatch, pinsRequest, planPins, type ResolveMode } from './image-pins.js';

function read(review: Record<string, unknown>): ReviewRequest {
  const reading = readReviewRequest(review.request);
  if (!reading.ok) throw new Error(reading.problem);
  return reading.request;
}

const WORKLOADS = [
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'ReplicationController',
  'CronJob',
  'PodTemplate',
];

describe('which requests --resolve-tags pins', () => {
  const cases: [string, { kind: string; operation?: string; subResource?: string }, ResolveMode, boolean][] =
    [
      ['a Pod, pods', { kind: 'Pod' }, 'pods', true],
      ['a Pod, all', { kind: 'Pod' }, 'all', true],
      ['a Pod, off', { kind: 'Pod' }, 'off', false],
      ['a Pod UPDATE', { kind: 'Pod', operation: 'UPDATE' }, 'pods', true],
      ['a Pod DELETE', { kind: 'Pod', operation: 'DELETE' }, 'pods', false],
      ['a Pod CONNECT', { kind: 'Pod', operation: 'CONNECT' }, 'all', false],
      ['pods/ephemeralcontainers', { kind: 'Pod', subResource: 'ephemeralcontainers' }, 'pods', true],
      [
        'EphemeralContainers (before 1.22)',
        { kind: 'EphemeralContainers', subResource: 'ephemeralcontainers' },
        'pods',
        true,
      ],
      ['pods/status', { kind: 'Pod', subResource: 'status' }, 'all', false],
      ["a Deployment's scale", { kind: 'Deployment', subResource: 'scale' }, 'all', false],
      ['a ConfigMap, all', { kind: 'ConfigMap' }, 'all', false],
      ...WORKLOADS.flatMap((kind): [string, { kind: string }, ResolveMode, boolean][] => [
        [`a ${kind}, pods`, { kind }, 'pods', false],
        [`a ${kind}, all`, { kind }, 'all', true],
      ]),
    ];
  it.each(cases)('%s', (_what, request, mode, pinned) => {
    expect(pinsRequest({ operation: 'CREATE', subResource: undefined, ...request }, mode)).toBe(pinned);
  });
});

describe('the patch', () => {
  it('pins every tag-only image of a Pod: containers, init and ephemeral containers, image volumes', () => {
    const object = objectOf(
      'Pod',
      podSpec({
        containers: ['registry.example/app:v1', `registry.example/side@${DIGEST_B}`],
        initContainers: ['registry.example/init:v2'],
        ephemeralContainers: ['busybox'],
        volumes: ['registry.example/data:v3'],
      }),
    );
    const plan = planPins(read(mutateReview({ kind: 'Pod', object })));
    expect(plan.images).toEqual([
      'registry.example/init:v2',
      'registry.example/app:v1',
      'busybox',
      'registry.example/data:v3',
    ]);
    const digests = new Map(plan.images.map((image) => [image, DIGEST_A]));
    const patch = pinPatch(plan, digests);
    expect(patch.slice(0, 2)).toEqual([
      { op: 'test', path: '/spec/initContainers/0/image', value: 'registry.example/init:v2' },
      { op: 'replace', path: '/spec/initContainers/0/image', value: `registry.example/init:v2@${DIGEST_A}` },
    ]);
    const patched = applyPatch(object, patch) as { spec: ReturnType<typeof podSpec> };
    expect(patched.spec).toEqual(
      podSpec({
        containers: [`registry.example/app:v1@${DIGEST_A}`, `registry.example/side@${DIGEST_B}`],
        initContainers: [`registry.example/init:v2@${DIGEST_A}`],
        ephemeralContainers: [`busybox@${DIGEST_A}`],
        volumes: [`registry.example/data:v3@${DIGEST_A}`],
      }),
    );
  });

  it('leaves images pinned by digest alone (with or without a tag): nothing to resolve', () => {
    const object = objectOf(
      'Pod',
      podSpec({ containers: [`registry.example/app:v1@${DIGEST_A}`, `registry.example/app@${DIGEST_B}`] }),
    );
    const plan = planPins(read(mutateReview({ kind: 'Pod', object })));
    expect(plan.images).toEqual([]);
    expect(pinPatch(plan, new Map())).toEqual([]);
  });

  it('resolves an image named twice once, and pins both places', () => {
    const object = objectOf('Pod', podSpec({ containers: ['app:v1', 'app:v1'], initContainers: ['app:v1'] }));
    const plan = planPins(read(mutateReview({ kind: 'Pod', object })));
    expect(plan.images).toEqual(['app:v1']);
    expect(plan.targets.map((t) => t.pointer)).toEqual([
      '/spec/initContainers/0/image',
      '/spec/containers/0/image',
      '/spec/containers/1/image',
    ]);
  });

  it.each(WORKLOADS)('pins the template of a %s (with all) at its own path', (kind) => {
    const object = objectOf(kind, podSpec({ containers: ['app:v1'] }));
    const plan = planPins(read(mutateReview({ kind, object })));
    const patched = applyPatch(object, pinPatch(plan, new Map([['app:v1', DIGEST_A]])));
    expect(JSON.stringify(patched)).toContain(`"image":"app:v1@${DIGEST_A}"`);
    expect(plan.podSpec).toEqual(podSpec({ containers: ['app:v1'] }));
  });

  it('on UPDATE pins only new or changed images: a running container keeps its image string', () => {
    const oldObject = objectOf('Pod', podSpec({ containers: ['app:v1'] }));
    const object = objectOf('Pod', podSpec({ containers: ['app:v1'], ephemeralContainers: ['debug:1'] }));
    const plan = planPins(
      read(
        mutateReview({
          kind: 'Pod',
          operation: 'UPDATE',
          subResource: 'ephemeralcontainers',
          object,
          oldObject,
        }),
      ),
    );
    expect(plan.images).toEqual(['debug:1']);
    expect(plan.targets).toEqual([{ image: 'debug:1', pointer: '/spec/ephemeralContainers/0/image' }]);
  });

  it('reads the EphemeralContainers kind (before Kubernetes 1.22) at its top level', () => {
    const object = {
      kind: 'EphemeralContainers',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'team' },
      ephemeralContainers: [{ name: 'debug', image: 'busybox:1' }],
    };
    const plan = planPins(
      read(mutateReview({ kind: 'EphemeralContainers', subResource: 'ephemeralcontainers', object })),
    );
    expect(plan.targets).toEqual([{ image: 'busybox:1', pointer: '/ephemeralContainers/0/image' }]);
  });

  it('a test op with the old value guards each replace: an object changed in between is not overwritten', () => {
    const object = objectOf('Pod', podSpec({ containers: ['app:v1'] }));
    const patch = pinPatch(
      planPins(read(mutateReview({ kind: 'Pod', object }))),
      new Map([['app:v1', DIGEST_A]]),
    );
    const changed = objectOf('Pod', podSpec({ containers: ['app:v2'] }));
    expect(() => applyPatch(changed, patch)).toThrow(/test failed/);
  });

  it('keeps an unparsable image to resolve (its resolution denies) instead of skipping it', () => {
    const object = objectOf('Pod', podSpec({ containers: ['Not A Valid Image'] }));
    expect(planPins(read(mutateReview({ kind: 'Pod', object }))).images).toEqual(['Not A Valid Image']);
  });

  it('refuses to build a patch for an image it has no digest for', () => {
    const object = objectOf('Pod', podSpec({ containers: ['app:v1'] }));
    const plan = planPins(read(mutateReview({ kind: 'Pod', object })));
    expect(() => pinPatch(plan, new Map())).toThrow('no digest resolved for app:v1');
  });
});

describe("JSON pointers of policy's image paths", () => {
  it.each([
    ['spec.containers[0].image', '/spec/containers/0/image'],
    [
      'spec.jobTemplate.spec.template.spec.volumes[12].image.reference',
      '/spec/jobTemplate/spec/template/spec/volumes/12/image/reference',
    ],
    ['ephemeralContainers[3].image', '/ephemeralContainers/3/image'],
  ])('%s → %s', (path, pointer) => {
    expect(jsonPointer(path)).toBe(pointer);
  });

  it('rejects what is not such a path', () => {
    expect(() => jsonPointer('spec.containers[x].image')).toThrow('not a workload image path');
  });
});
