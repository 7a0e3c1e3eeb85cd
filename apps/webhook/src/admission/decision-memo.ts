import type { ReviewRequest } from '@signet/policy';
import { LRUCache } from 'lru-cache';
import type { ReviewDecision } from './decision.js';

export interface DecisionMemoSettings {
  /** How long an admission stands for the same images (0 turns the memo off). */
  ttlMs: number;
  maxEntries: number;
}

export const DEFAULT_DECISION_MEMO: DecisionMemoSettings = { ttlMs: 5_000, maxEntries: 10_000 };

interface Memo {
  decision: ReviewDecision;
}

/**
 * Remembers plain admissions — allowed, without warning or audit annotation — for a few seconds, keyed
 * by everything the decision depends on: the policy generation, the namespace, the kind and operation,
 * breakglass, and the images to judge. One Deployment makes several reviews of the same images
 * (Deployment, ReplicaSet, each Pod); the repeats skip the decision. Denials are never remembered.
 * The TTL is far below the metadata cache's and the verifier's, so it does not delay what they notice.
 */
export class DecisionMemo {
  private readonly entries: LRUCache<string, Memo> | undefined;

  constructor(settings: DecisionMemoSettings = DEFAULT_DECISION_MEMO) {
    this.entries =
      settings.ttlMs > 0
        ? // ttlResolution 0: read the clock on each lookup. lru-cache's default caches it for 1 ms
          // behind a setTimeout, i.e. a timer armed on almost every warm review under load.
          new LRUCache<string, Memo>({ max: settings.maxEntries, ttl: settings.ttlMs, ttlResolution: 0 })
        : undefined;
  }

  /**
   * The key of a request, or undefined when it cannot be remembered. It is built from the very object
   * the decision reads (`readReviewRequest`'s), so no field the decision ignores can steer it.
   */
  keyOf(request: ReviewRequest, generation: number): string | undefined {
    if (!this.entries) return undefined;
    const { images } = request;
    if (images.toJudge.length === 0 || request.namespace === '') return undefined;
    return `${generation}|${request.namespace}|${request.kind}|${request.operation}|${request.subResource ?? ''}|${request.breakglass.requested}|${images.toJudge.join(' ')}|${images.unchanged.join(' ')}`;
  }

  get(key: string | undefined): ReviewDecision | undefined {
    return key === undefined ? undefined : this.entries?.get(key)?.decision;
  }

  remember(key: string | undefined, decision: ReviewDecision): void {
    if (key === undefined || !this.entries) return;
    const plain =
      decision.allowed &&
      decision.warnings.length === 0 &&
      Object.keys(decision.auditAnnotations).length === 0 &&
      (decision.reason === 'policy' || decision.reason === 'no-policy');
    if (plain) this.entries.set(key, { decision });
  }

  clear(): void {
    this.entries?.clear();
  }
}
