import { AttestationVerifier, KRITIS_API_VERSION, type MetadataSource } from '@signet/policy';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../monitoring/metrics.js';
import { NamespacePolicyResolver } from '../policies/namespace-policies.js';
import { staticPolicySource } from '../policies/policy-source.js';
import { ReviewDeadline } from './deadline.js';
import type { Decider } from './decision.js';
import { DecisionMemo } from './decision-memo.js';
import { createPolicyDecider } from './policy-decider.js';
import type { ParsedReview } from './review.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const CLEAN = `gcr.io/team/clean@${digest('a')}`;
const VULNERABLE = `gcr.io/team/vulnerable@${digest('b')}`;
const IMAGES = [CLEAN, VULNERABLE, 'gcr.io/team/tagged:1'];

/** Team A forbids critical vulnerabilities; team B has no policy (and `noPolicy: allow` admits). */
const source = staticPolicySource([
  {
    source: 'isp.yaml',
    namespace: 'team-a',
    document: {
      apiVersion: KRITIS_API_VERSION,
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'no-critical', namespace: 'team-a' },
      spec: { packageVulnerabilityRequirements: { maximumSeverity: 'HIGH' } },
    },
  },
]);

const metadata: MetadataSource = {
  attestations: async () => [],
  vulnerabilities: async (resourceUrl) =>
    resourceUrl.includes('vulnerable')
      ? [
          {
            noteName: 'projects/goog-vulnz/notes/CVE-1',
            cveId: 'CVE-1',
            severity: 'CRITICAL',
            fixAvailable: true,
          },
        ]
      : [],
};

function decider(memo: DecisionMemo | undefined): Decider {
  return createPolicyDecider({
    ...(memo ? { memo } : {}),
    policies: new NamespacePolicyResolver(source),
    metadata,
    verifier: new AttestationVerifier(),
    settings: { noPolicy: 'allow', vulnerabilityProject: 'team' },
    templateTags: 'deny',
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
  });
}

const namespaceArb = fc.constantFrom('team-a', 'team-b', '', undefined);
const imageArb = fc.oneof(fc.constantFrom(...IMAGES), fc.constant(7 as unknown as string));
const containersArb = fc.array(
  imageArb.map((image) => ({ name: 'c', image })),
  { maxLength: 3 },
);

/** The parts of a review besides its namespaces: a few per run, so that reviews repeat them. */
const shapeArb = fc.record({
  kind: fc.constantFrom('Pod', 'Deployment', 'ConfigMap'),
  operation: fc.constantFrom('CREATE', 'CREATE', 'UPDATE', 'DELETE'),
  containers: containersArb,
  oldContainers: containersArb,
  breakglass: fc.boolean(),
  nullObject: fc.boolean(),
});
type Shape = typeof shapeArb extends fc.Arbitrary<infer T> ? T : never;

/** Reviews an attacker could send: one of the run's shapes, with any namespace in either place. */
const reviewsArb = fc
  .tuple(
    fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
    fc.array(fc.record({ shape: fc.nat(), namespace: namespaceArb, objectNamespace: namespaceArb }), {
      minLength: 1,
      maxLength: 12,
    }),
  )
  .map(([shapes, picks]) =>
    picks.map((pick) =>
      review(shapes[pick.shape % shapes.length] as Shape, pick.namespace, pick.objectNamespace),
    ),
  );

function review(r: Shape, namespace: string | undefined, objectNamespace: string | undefined): ParsedReview {
  const annotations = r.breakglass ? { 'kritis.grafeas.io/breakglass': 'true' } : {};
  const object = (containers: unknown) => ({
    kind: r.kind,
    metadata: {
      name: 'x',
      annotations,
      ...(objectNamespace === undefined ? {} : { namespace: objectNamespace }),
    },
    ...(r.kind === 'Deployment'
      ? { spec: { template: { spec: { containers } } } }
      : { spec: { containers } }),
  });
  return {
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: 'u',
      kind: { group: '', version: 'v1', kind: r.kind },
      resource: { group: '', version: 'v1', resource: 'x' },
      ...(namespace === undefined ? {} : { namespace }),
      operation: r.operation as 'CREATE',
      object: r.nullObject ? null : object(r.containers),
      oldObject: r.operation === 'UPDATE' ? object(r.oldContainers) : null,
    },
  };
}

describe('DecisionMemo (property)', () => {
  it('never answers what a fresh decision of the same review would not', async () => {
    await fc.assert(
      fc.asyncProperty(reviewsArb, async (reviews) => {
        const remembering = decider(new DecisionMemo({ ttlMs: 600_000, maxEntries: 100 }));
        const fresh = decider(undefined);
        for (const review of reviews) {
          const answered = await remembering(review, new ReviewDeadline());
          const expected = await fresh(review, new ReviewDeadline());
          expect({ allowed: answered.allowed, reason: answered.reason, denial: answered.denial }).toEqual({
            allowed: expected.allowed,
            reason: expected.reason,
            denial: expected.denial,
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the policy decider and its memo', () => {
  it('returns a remembered admission as is (no promise, so no deadline timer), and a fresh one as a promise', async () => {
    const remembering = decider(new DecisionMemo({ ttlMs: 600_000, maxEntries: 100 }));
    const review: ParsedReview = {
      apiVersion: 'admission.k8s.io/v1',
      request: {
        uid: 'u',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'team-a',
        operation: 'CREATE',
        object: { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: CLEAN }] } },
      },
    };
    const first = remembering(review, new ReviewDeadline());
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ allowed: true, reason: 'policy' });
    const second = remembering(review, new ReviewDeadline());
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(await first);
  });
});
