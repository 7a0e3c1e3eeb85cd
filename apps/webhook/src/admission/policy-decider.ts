import {
  type AttestationVerifier,
  type ClusterSettings,
  decideReview,
  type EvidenceSource,
  malformedRequestDecision,
  type NamespacePolicies,
  type ReviewRequest,
  readReviewRequest,
  type TemplateTags,
} from '@signet/policy';
import type { Logger } from 'pino';
import type { WebhookMetrics } from '../monitoring/metrics.js';
import type { NamespacePolicyResolver } from '../policies/namespace-policies.js';
import { policyReviewDecision } from './admission-response.js';
import type { Deadline } from './deadline.js';
import type { Decider, ReviewDecision } from './decision.js';
import type { DecisionMemo } from './decision-memo.js';
import type { ParsedReview } from './review.js';

export interface PolicyDeciderOptions {
  /** Plain admissions remembered for a few seconds (see DecisionMemo); omit for none. */
  memo?: DecisionMemo;
  policies: NamespacePolicyResolver;
  /**
   * Grafeas metadata, and cosign evidence when it is also a CosignSource. With `within`, each review sees
   * the source bounded by its deadline (a warming index scope, a registry read).
   */
  metadata: EvidenceSource & { within?(deadline: Deadline): EvidenceSource };
  verifier: AttestationVerifier;
  settings: Partial<ClusterSettings>;
  /** `judge-in-pods` with `--resolve-tags pods`: a tag in a workload template is judged in its Pods. */
  templateTags: TemplateTags;
  metrics: WebhookMetrics;
  logger: Logger;
}

/**
 * The admission decision of `@signet/policy`, fed with the namespace's policies and cached metadata.
 * A remembered admission (and a malformed request) is returned as is, not as a promise: the review
 * handler then arms no deadline timer.
 */
export function createPolicyDecider(options: PolicyDeciderOptions): Decider {
  const { metrics } = options;
  const policiesSeconds = metrics.stageSeconds.labels({ stage: 'policies' });
  const memoHits = metrics.cacheLookups.labels({ cache: 'decisions', result: 'hit' });
  const decide = freshDecision(options);
  return (review, deadline) => {
    // One read of the review serves the policies' namespace, the memo key and the decision.
    const reading = readReviewRequest(review.request);
    if (!reading.ok) return policyReviewDecision(malformedRequestDecision(reading));
    const { request } = reading;
    const policiesStarted = performance.now();
    const policies = options.policies.forNamespace(request.namespace);
    policiesSeconds.observe((performance.now() - policiesStarted) / 1000);
    const memoKey = options.memo?.keyOf(request, options.policies.generation);
    const remembered = options.memo?.get(memoKey);
    if (remembered) {
      memoHits.inc();
      return remembered;
    }
    return decide(review, request, policies, deadline, memoKey);
  };
}

function freshDecision(options: PolicyDeciderOptions) {
  const { metrics } = options;
  const decideSeconds = metrics.stageSeconds.labels({ stage: 'decide' });
  return async (
    review: ParsedReview,
    request: ReviewRequest,
    policies: NamespacePolicies,
    deadline: Deadline,
    memoKey: string | undefined,
  ): Promise<ReviewDecision> => {
    const { namespace } = request;
    const decideStarted = performance.now();
    // The review handler's deadline answers in time whatever the lookups do; the cached metadata
    // source bounds each shared backend call.
    const decision = await decideReview({
      request,
      policies,
      settings: options.settings,
      metadata: options.metadata.within?.(deadline) ?? options.metadata,
      verifier: options.verifier,
      templateTags: options.templateTags,
    });
    if (deadline.expired) metrics.lateDecisions.inc();
    decideSeconds.observe((performance.now() - decideStarted) / 1000);
    if (decision.breakglass) {
      metrics.breakglass.inc({ namespace });
      options.logger.warn(
        { uid: review.request.uid, namespace, object: request.target },
        'admitted through breakglass',
      );
    }
    const reviewDecision = policyReviewDecision(decision);
    options.memo?.remember(memoKey, reviewDecision);
    return reviewDecision;
  };
}
