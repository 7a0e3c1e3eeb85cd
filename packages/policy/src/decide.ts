import { errorMessage } from '@signet/errors';
import type { BreakglassState } from './breakglass.js';
import type {
  Decision,
  DecisionInput,
  DecisionReason,
  DenialKind,
  ReviewDecisionInput,
} from './decision-types.js';
import { decideImage } from './image-decision.js';
import { RequestLookups } from './lookups.js';
import { clip, denialMessage, dryRunWarning, violationAnnotations } from './message.js';
import { describeResource } from './parse.js';
import { type MalformedRequest, readReviewRequest } from './request.js';
import type { InvalidResource, NamespacePolicies } from './resource-types.js';
import { type ClusterSettings, DEFAULT_SETTINGS } from './schemas/settings.js';
import { deferredTagWarning, deferTemplateTags } from './template-tags.js';
import { summarizeIssues } from './validation-issues.js';
import { AttestationVerifier } from './verifier.js';
import type { Violation } from './violation.js';

const REVIEWED_OPERATIONS = new Set(['CREATE', 'UPDATE']);

/**
 * Decides an admission request. Never throws: whatever goes wrong inside denies, with the reason
 * (fail closed). The same function serves the webhook, the signer's offline `evaluate` and tests.
 */
export async function decide(input: DecisionInput): Promise<Decision> {
  try {
    const reading = readReviewRequest(input?.request);
    if (!reading.ok) return malformedRequestDecision(reading);
    return await decideRequest({ ...input, request: reading.request });
  } catch (error) {
    return internalError(error);
  }
}

/**
 * Decides a request already read by `readReviewRequest` (the webhook reads it once, for its memo key
 * and for this). Never throws, like `decide`.
 */
export async function decideReview(input: ReviewDecisionInput): Promise<Decision> {
  try {
    return await decideRequest(input);
  } catch (error) {
    return internalError(error);
  }
}

/** The denial of a request `readReviewRequest` could not read (code REQUEST_INVALID: a bad request). */
export function malformedRequestDecision(reading: MalformedRequest): Decision {
  const violation: Violation = {
    image: '*',
    policy: 'Signet',
    code: 'REQUEST_INVALID',
    reason: reading.problem,
    fix: 'send a well-formed admission.k8s.io/v1 AdmissionReview, as the API server does',
  };
  return { ...deny(reading.target, [violation]), reason: 'malformed-request' };
}

function internalError(error: unknown): Decision {
  const violation: Violation = {
    image: '*',
    policy: 'Signet',
    code: 'INTERNAL_ERROR',
    reason: `Signet could not judge the request: ${errorMessage(error)}`,
    fix: 'retry; if it persists, report it to the cluster operator with this message',
  };
  return { ...deny('the request', [violation]), reason: 'internal-error' };
}

/** `decideReview` without its safety net. */
async function decideRequest(input: ReviewDecisionInput): Promise<Decision> {
  const { request } = input;
  if (!REVIEWED_OPERATIONS.has(request.operation)) return allow([], {});
  const settings = readSettings(input.settings);
  const policies = readPolicies(input.policies);
  const { images, breakglass } = request;
  const { judged, deferred } = deferTemplateTags(request.kind, images.toJudge, input.templateTags ?? 'deny');
  const imageSummary = { judged, unchanged: images.unchanged };

  if (breakglass.requested && settings.breakglass === 'on') {
    return admitByBreakglass(request.target, breakglass, imageSummary);
  }
  const warnings =
    breakglass.requested && settings.breakglass === 'off'
      ? ['breakglass is turned off on this cluster: the request is judged like any other']
      : [];
  warnings.push(...deferred.map((image) => clip(deferredTagWarning(image, request.kind))));
  if (judged.length === 0) return { ...allow(warnings, {}), images: imageSummary };

  if (hasNoPolicy(policies)) {
    if (settings.noPolicy === 'allow') {
      return { ...allow(warnings, {}), images: imageSummary, reason: 'no-policy' };
    }
    const violations = judged.map((image) => noPolicyViolation(image, request.namespace));
    return { ...deny(request.target, violations, warnings), images: imageSummary, reason: 'no-policy' };
  }

  const context = {
    policies,
    settings,
    lookups: new RequestLookups(input.metadata),
    verifier: input.verifier ?? new AttestationVerifier(),
    now: input.now ?? new Date(),
  };
  const perImage = await Promise.all(judged.map((image) => decideImage(image, context)));
  const violations = [
    ...policies.invalid.map(invalidPolicyViolation),
    ...perImage.flatMap((d) => d.violations),
  ];
  const dryRun = perImage.flatMap((d) => d.dryRunViolations);
  warnings.push(...perImage.flatMap((d) => d.warnings).map(clip), ...dryRun.map(dryRunWarning));
  const annotations: Record<string, string> = {};
  if (dryRun.length > 0) {
    const { listed, summary } = violationAnnotations(dryRun);
    annotations['dryrun-violations'] = listed;
    annotations['dryrun-violations-summary'] = summary;
  }
  const decision =
    violations.length > 0
      ? deny(request.target, violations, warnings, annotations)
      : allow(warnings, annotations);
  const failOpen = perImage.some((d) => d.toleratedFailures.length > 0);
  return {
    ...decision,
    dryRunViolations: dryRun,
    images: imageSummary,
    perImage,
    failOpen,
    reason: policyReason(violations, failOpen && decision.allowed),
  };
}

/** Why the policies' decision came out as it did; a backend failure outranks what else went wrong. */
function policyReason(violations: Violation[], admittedFailOpen: boolean): DecisionReason {
  if (admittedFailOpen || violations.some((v) => v.code === 'BACKEND_FAILED')) return 'backend-error';
  if (violations.some((v) => v.code === 'POLICY_INVALID')) return 'invalid-policy';
  return 'policy';
}

function admitByBreakglass(
  target: string,
  breakglass: BreakglassState,
  images: Decision['images'],
): Decision {
  const warnings = [`${target} admitted by breakglass (${breakglass.source}) without checking its images`];
  if (breakglass.missingFromTemplate) {
    warnings.push('breakglass is not set in the pod template: the Pods this creates will be judged');
  }
  return {
    ...allow(warnings, { breakglass: 'true', 'breakglass-source': breakglass.source ?? '' }),
    breakglass: true,
    message: `admitted by breakglass (${breakglass.source}); this is audited`,
    images,
    reason: 'breakglass',
  };
}

/** No policy to apply in the namespace: the cluster's `noPolicy` setting decides. */
function hasNoPolicy(policies: NamespacePolicies): boolean {
  return (
    policies.genericAttestationPolicies.length === 0 &&
    policies.imageSecurityPolicies.length === 0 &&
    policies.invalid.length === 0
  );
}

function noPolicyViolation(image: string, namespace: string): Violation {
  return {
    image,
    policy: 'cluster default (noPolicy: deny)',
    code: 'NO_POLICY',
    reason: `namespace ${namespace || '(none)'} has no GenericAttestationPolicy or ImageSecurityPolicy, and this cluster denies by default`,
    fix: 'ask the platform team to apply a GenericAttestationPolicy or ImageSecurityPolicy to the namespace',
  };
}

function invalidPolicyViolation(invalid: InvalidResource): Violation {
  const { details, fixes } = summarizeIssues(invalid.issues);
  return {
    image: '*',
    policy: describeResource(invalid.kind, invalid),
    code: 'POLICY_INVALID',
    reason: `the policy is invalid, so the namespace fails closed until it is fixed: ${details}`,
    fix: fixes || 'correct the resource',
  };
}

function readSettings(settings: Partial<ClusterSettings> | undefined): ClusterSettings {
  const given = settings ?? {};
  // Settings are typed, but a garbled value must not relax anything: it takes the default.
  return {
    noPolicy: given.noPolicy === 'deny' ? 'deny' : DEFAULT_SETTINGS.noPolicy,
    breakglass: given.breakglass === 'off' ? 'off' : DEFAULT_SETTINGS.breakglass,
    onBackendError: given.onBackendError === 'allow' ? 'allow' : DEFAULT_SETTINGS.onBackendError,
    ...(typeof given.vulnerabilityProject === 'string'
      ? { vulnerabilityProject: given.vulnerabilityProject }
      : {}),
  };
}

function readPolicies(policies: NamespacePolicies | undefined): NamespacePolicies {
  const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
  return {
    authorities: list(policies?.authorities),
    genericAttestationPolicies: list(policies?.genericAttestationPolicies),
    imageSecurityPolicies: list(policies?.imageSecurityPolicies),
    invalid: list(policies?.invalid),
  };
}

function deniedAnnotations(violations: readonly Violation[]): Record<string, string> {
  const { listed, summary } = violationAnnotations(violations);
  return { violations: listed, 'violations-summary': summary };
}

function allow(warnings: string[], auditAnnotations: Record<string, string>): Decision {
  return {
    allowed: true,
    violations: [],
    dryRunViolations: [],
    warnings,
    auditAnnotations,
    message: '',
    breakglass: false,
    images: { judged: [], unchanged: [] },
    reason: 'not-reviewed',
    failOpen: false,
    perImage: [],
  };
}

function deny(
  target: string,
  violations: Violation[],
  warnings: string[] = [],
  auditAnnotations: Record<string, string> = {},
): Decision {
  return {
    allowed: false,
    violations,
    dryRunViolations: [],
    warnings,
    auditAnnotations: { ...auditAnnotations, ...deniedAnnotations(violations) },
    message: denialMessage(target, violations),
    breakglass: false,
    images: { judged: [], unchanged: [] },
    reason: 'policy',
    denial: denialKind(violations),
    failOpen: false,
    perImage: [],
  };
}

function denialKind(violations: Violation[]): DenialKind {
  if (violations.every((v) => v.code === 'BACKEND_FAILED')) return 'backend';
  if (violations.some((v) => v.code === 'INTERNAL_ERROR')) return 'internal';
  if (violations.some((v) => v.code === 'REQUEST_INVALID')) return 'request';
  return 'policy';
}
