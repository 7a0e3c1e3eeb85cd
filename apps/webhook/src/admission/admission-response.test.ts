import { podReview } from '@signet/guide-world';
import {
  type Decision,
  type DenialKind,
  decide,
  type MetadataSource,
  parseImageSecurityPolicy,
} from '@signet/policy';
import { describe, expect, it } from 'vitest';
import {
  admissionReviewResponse,
  deadlineReviewDecision,
  internalErrorReviewDecision,
  policyReviewDecision,
} from './admission-response.js';
import type { ReviewDecision } from './decision.js';

const IMAGE = `registry.example/app@sha256:${'a'.repeat(64)}`;
const OLD_IMAGE = `registry.example/old@sha256:${'b'.repeat(64)}`;
const UID = 'f3a1c2d4-0000-4000-8000-000000000001';

const answer = (decision: ReviewDecision) =>
  admissionReviewResponse('admission.k8s.io/v1', UID, decision).response;

function denial(kind: DenialKind | undefined, message = `denied (${kind})`): Decision {
  return {
    allowed: false,
    violations: [],
    dryRunViolations: [],
    warnings: [],
    auditAnnotations: {},
    message,
    breakglass: false,
    images: { judged: [IMAGE], unchanged: [] },
    reason: 'policy',
    ...(kind ? { denial: kind } : {}),
    failOpen: false,
    perImage: [],
  };
}

/** Every denial kind and the status it is answered with; a new kind fails to compile here. */
const STATUS_OF = {
  policy: { code: 403, reason: 'Forbidden' },
  request: { code: 400, reason: 'BadRequest' },
  backend: { code: 503, reason: 'ServiceUnavailable' },
  internal: { code: 500, reason: 'InternalError' },
} satisfies Record<DenialKind, { code: number; reason: string }>;

describe('the admission response of a policy decision', () => {
  for (const [kind, status] of Object.entries(STATUS_OF) as [DenialKind, typeof STATUS_OF.policy][]) {
    it(`answers a ${kind} denial with ${status.code} ${status.reason} and its message`, () => {
      expect(answer(policyReviewDecision(denial(kind)))).toEqual({
        uid: UID,
        allowed: false,
        status: { ...status, message: `denied (${kind})` },
      });
    });
  }

  it('answers a denial that names no kind as the policy’s (403)', () => {
    expect(answer(policyReviewDecision(denial(undefined, 'no kind'))).status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: 'no kind',
    });
  });

  it('answers an admission without status, keeping its warnings and audit annotations', () => {
    const admitted: Decision = {
      ...denial(undefined),
      allowed: true,
      message: '',
      warnings: ['dry-run violation'],
      auditAnnotations: { 'dryrun-violations': '[]' },
      images: { judged: [IMAGE], unchanged: [OLD_IMAGE] },
    };
    const decision = policyReviewDecision(admitted);
    expect(decision).toEqual({
      allowed: true,
      reason: 'policy',
      message: '',
      images: [IMAGE, OLD_IMAGE],
      warnings: ['dry-run violation'],
      auditAnnotations: { 'dryrun-violations': '[]' },
    });
    expect(admissionReviewResponse('admission.k8s.io/v1beta1', UID, decision)).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: {
        uid: UID,
        allowed: true,
        warnings: ['dry-run violation'],
        auditAnnotations: { 'dryrun-violations': '[]' },
      },
    });
  });

  it('clips warnings and drops audit annotation keys the API server would refuse', () => {
    const decision: ReviewDecision = {
      allowed: true,
      reason: 'policy',
      message: '',
      images: [],
      warnings: [...Array.from({ length: 40 }, (_, i) => `w${i}`), 'x'.repeat(300)],
      auditAnnotations: { fine: 'kept', 'not a key!': 'dropped' },
    };
    const response = answer(decision);
    expect(response.warnings).toHaveLength(32);
    expect(response.auditAnnotations).toEqual({ fine: 'kept' });
    const long = answer({ ...decision, warnings: ['x'.repeat(300)] }).warnings?.[0];
    expect(long).toBe(`${'x'.repeat(255)}…`);
  });
});

describe('the admission response of real decisions', () => {
  const request = podReview({ name: 'app', images: [IMAGE] }).request;
  const down = new Error('connection refused');
  const unreachable: MetadataSource = {
    description: 'Grafeas at https://grafeas.invalid',
    attestations: () => Promise.reject(down),
    vulnerabilities: () => Promise.reject(down),
  };
  const scanPolicy = parseImageSecurityPolicy({
    apiVersion: 'kritis.grafeas.io/v1beta1',
    kind: 'ImageSecurityPolicy',
    metadata: { name: 'scanned', namespace: 'default' },
    spec: {},
  });
  if (!scanPolicy.ok) throw new Error('the test policy does not parse');
  const none = { authorities: [], genericAttestationPolicies: [], imageSecurityPolicies: [], invalid: [] };
  const status = async (input: Parameters<typeof decide>[0]) =>
    answer(policyReviewDecision(await decide(input))).status?.code;

  it('answers 403 to a namespace without policy on a cluster that denies by default', async () => {
    expect(
      await status({ request, policies: none, settings: { noPolicy: 'deny' }, metadata: unreachable }),
    ).toBe(403);
  });

  it('answers 503 when only the metadata backend failed', async () => {
    const policies = { ...none, imageSecurityPolicies: [scanPolicy.value] };
    const settings = { vulnerabilityProject: 'scans' };
    expect(await status({ request, policies, settings, metadata: unreachable })).toBe(503);
  });

  it('answers 400 to a request that is not an admission request', async () => {
    expect(await status({ request: { uid: UID }, policies: none, metadata: unreachable })).toBe(400);
  });
});

describe('the admission response when the deadline passes', () => {
  it('denies with 503, saying how long it waited and what to do', () => {
    const decision = deadlineReviewDecision(1500, false);
    expect(decision).toMatchObject({ allowed: false, reason: 'deadline', denial: 'backend', images: [] });
    const response = answer(decision);
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(response.status?.message).toContain('within 1500 ms');
    expect(response.status?.message).toContain("check the metadata store's health");
    expect(response.auditAnnotations?.['backend-error']).toContain('within 1500 ms');
    expect(response.warnings).toBeUndefined();
  });

  it('admits with a warning under --on-backend-error=allow, and no status', () => {
    const response = answer(deadlineReviewDecision(1500, true));
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toEqual([expect.stringContaining('admitted because --on-backend-error=allow')]);
    expect(response.auditAnnotations?.['backend-error']).toContain('within 1500 ms');
  });
});

describe('the admission response of an internal error', () => {
  it('denies with 500, naming the error (clipped) and pointing at the logs', () => {
    const decision = internalErrorReviewDecision(new TypeError(`boom ${'x'.repeat(500)}`));
    expect(decision).toMatchObject({ allowed: false, reason: 'internal-error', denial: 'internal' });
    const response = answer(decision);
    expect(response.status).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(response.status?.message).toContain('internal error (boom x');
    expect(response.status?.message).toContain("see the webhook's logs");
    expect(response.auditAnnotations?.['internal-error']).toHaveLength(200);
  });

  it('answers a thrown value that is not an Error', () => {
    const response = answer(internalErrorReviewDecision('plain string'));
    expect(response.status?.code).toBe(500);
    expect(response.status?.message).toContain('plain string');
  });
});
