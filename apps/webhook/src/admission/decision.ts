import type { DecisionReason, DenialKind } from '@signet/policy';
import type { Deadline } from './deadline.js';
import type { ParsedReview } from './review.js';

/**
 * Why a review ended the way it did (a metric label and a log field): the policy's reason, the
 * deadline, or (POST /mutate) what tag resolution did.
 */
type ReviewReason = DecisionReason | 'deadline' | MutationReason;

/**
 * POST /mutate's reasons: `pinned` (a patch pins tags by digest), `already-pinned` (nothing to pin),
 * `not-mutated` (a kind, subresource or operation `--resolve-tags` leaves alone), `resolve-off`
 * (`--resolve-tags off`), `registry-error` (a tag could not be resolved), `pull-secrets` (the review's
 * credentials could not be read).
 */
export type MutationReason =
  | 'pinned'
  | 'already-pinned'
  | 'not-mutated'
  | 'resolve-off'
  | 'registry-error'
  | 'pull-secrets';

/** One RFC 6902 operation of the patch POST /mutate answers (only these two are made). */
export interface JsonPatchOperation {
  op: 'test' | 'replace';
  /** An RFC 6901 pointer into the reviewed object. */
  path: string;
  value: string;
}

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
  /** POST /mutate: the changes to the object, sent only with an admission. */
  patch?: readonly JsonPatchOperation[];
}

/**
 * Decides a parsed review; the review is answered at the deadline whether it has finished or not. May throw:
 * the caller denies. A decision known at once (a remembered one) may be returned as is: the caller then arms
 * no deadline timer for it.
 */
export type Decider = (review: ParsedReview, deadline: Deadline) => ReviewDecision | Promise<ReviewDecision>;
