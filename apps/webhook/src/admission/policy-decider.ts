import {
  type AttestationVerifier,
  type ClusterSettings,
  type Decision,
  decideReview,
  type MetadataSource,
  malformedRequestDecision,
  type NamespacePolicies,
  readReviewRequest,
} from '@signet/policy';
import type { Logger } from 'pino';
import type { NamespacePolicyResolver } from '../policies/namespace-policies.js';
import type { WebhookMetrics } from '../server/metrics.js';
import type { Decider, DecisionReason, ReviewDecision } from './decision.js';
import type { DecisionMemo } from './decision-memo.js';

export interface PolicyDeciderOptions {
  /** Plain admissions remembered for a few seconds (see DecisionMemo); omit for none. */
  memo?: DecisionMemo;
  policies: NamespacePolicyResolver;
  metadata: MetadataSource;
  verifier: AttestationVerifier;
  settings: Partial<ClusterSettings>;
  metrics: WebhookMetrics;
  logger: Logger;
}

/** The admission decision of `@signet/policy`, fed with the namespace's policies and cached metadata. */
export function createPolicyDecider(options: PolicyDeciderOptions): Decider {
  const { metrics } = options;
  const policiesSeconds = metrics.stageSeconds.labels({ stage: 'policies' });
  const decideSeconds = metrics.stageSeconds.labels({ stage: 'decide' });
  const memoHits = metrics.cacheLookups.labels({ cache: 'decisions', result: 'hit' });
  return async (review, deadline) => {
    // One read of the review serves the policies' namespace, the memo key and the decision.
    const reading = readReviewRequest(review.request);
    if (!reading.ok) return toReviewDecision(malformedRequestDecision(reading));
    const { request } = reading;
    const { namespace } = request;
    const policiesStarted = performance.now();
    const policies = options.policies.forNamespace(namespace);
    policiesSeconds.observe((performance.now() - policiesStarted) / 1000);
    const memoKey = options.memo?.keyOf(request, options.policies.generation);
    const remembered = options.memo?.get(memoKey);
    if (remembered) {
      memoHits.inc();
      return remembered;
    }

    const decideStarted = performance.now();
    // No signal for decide: the review handler's deadline race answers in time whatever the lookups do,
    // and the cached metadata source bounds each shared backend call. Passing it would cost an abort
    // listener per lookup, cache hits included: a third of the decision's time on the warm path.
    const decision = await decideReview({
      request,
      policies,
      settings: options.settings,
      metadata: options.metadata,
      verifier: options.verifier,
    });
    if (deadline.expired) metrics.lateDecisions.inc();
    decideSeconds.observe((performance.now() - decideStarted) / 1000);
    if (decision.breakglass) {
      metrics.breakglass.inc({ namespace });
      options.logger.warn(
        {
          uid: review.request.uid,
          namespace,
          object: request.target,
        },
        'admitted through breakglass',
      );
    }
    const reviewDecision = toReviewDecision(decision, isEmpty(policies));
    options.memo?.remember(memoKey, reviewDecision);
    return reviewDecision;
  };
}

function isEmpty(policies: NamespacePolicies): boolean {
  return (
    policies.genericAttestationPolicies.length === 0 &&
    policies.imageSecurityPolicies.length === 0 &&
    policies.invalid.length === 0
  );
}

export function toReviewDecision(decision: Decision, noPolicy = false): ReviewDecision {
  const codes = new Set<string>(decision.violations.map((v) => v.code));
  return {
    allowed: decision.allowed,
    reason: reasonOf(decision, codes, noPolicy),
    message: decision.message,
    code: statusCodeOf(codes),
    images: [...decision.images.judged, ...decision.images.unchanged],
    warnings: decision.warnings,
    auditAnnotations: decision.auditAnnotations,
  };
}

function reasonOf(decision: Decision, codes: Set<string>, noPolicy: boolean): DecisionReason {
  if (decision.breakglass) return 'breakglass';
  if (codes.has('BACKEND_FAILED') || admittedFailOpen(decision)) return 'backend-error';
  if (codes.has('POLICY_INVALID')) return 'invalid-policy';
  if (codes.has('NO_POLICY')) return 'no-policy';
  if (codes.has('REQUEST_INVALID')) return 'malformed-request';
  if (codes.has('INTERNAL_ERROR')) return 'internal-error';
  if (decision.images.judged.length === 0) return 'not-reviewed';
  if (noPolicy) return 'no-policy';
  return 'policy';
}

/** Under --on-backend-error allow, the policy admits and says so only in a warning. */
function admittedFailOpen(decision: Decision): boolean {
  return decision.allowed && decision.warnings.some((warning) => warning.includes('(fail-open)'));
}

function statusCodeOf(codes: Set<string>): number {
  if (codes.size > 0 && [...codes].every((code) => code === 'BACKEND_FAILED')) return 503;
  if (codes.has('INTERNAL_ERROR')) return 500;
  if (codes.has('REQUEST_INVALID')) return 400;
  return 403;
}
