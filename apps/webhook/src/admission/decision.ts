import type { DecisionReason, DenialKind } from '@signet/policy';
import type { Deadline } from './deadline.js';
import type { ParsedReview } from './review.js';

/** Why a review ended the way it did (a metric label and a log field): the policy's reason, or the deadline. */
type ReviewReason = DecisionReason | 'deadline';

/**
 * What the webhook answers for one review, before it is put into an AdmissionReview: made and turned
 * into the response in `admission-response.ts` only.
 */
export interface ReviewDecision {
  allowed: boolean;
  reason: ReviewReason;
  /** The denial's message (or, when admitted, a summary for the log). */
  message: string;
  /** What would change a denial (its status); a denial without one is the policy's. */
  denial?: DenialKind;
  images: readonly string[];
  warnings: readonly string[];
  auditAnnotations: Readonly<Record<string, string>>;
}

/** Decides a parsed review; the review is answered at the deadline whether it has finished or not. May throw: the caller denies. */
export type Decider = (review: ParsedReview, deadline: Deadline) => Promise<ReviewDecision>;
