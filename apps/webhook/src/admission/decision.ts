import type { ParsedReview } from './review.js';

/** Why a review ended the way it did: a metric label and a log field. */
export type DecisionReason =
  | 'policy'
  | 'breakglass'
  | 'no-policy'
  | 'not-reviewed'
  | 'malformed-request'
  | 'invalid-policy'
  | 'backend-error'
  | 'deadline'
  | 'internal-error';

/** What the webhook answers for one review, before it is put into an AdmissionReview. */
export interface ReviewDecision {
  allowed: boolean;
  reason: DecisionReason;
  /** The denial's message (or, when admitted, a summary for the log). */
  message: string;
  /** HTTP-like status code of a denial: 403 policy, 400 malformed request, 503 backend, 500 internal. */
  code?: number;
  images: readonly string[];
  warnings: readonly string[];
  auditAnnotations: Readonly<Record<string, string>>;
}

/** The time a review has left. The signal is made on first use: most decisions never need one. */
export interface Deadline {
  readonly expired: boolean;
  readonly signal: AbortSignal;
}

/** Decides a parsed review; the review is answered at the deadline whether it has finished or not. May throw: the caller denies. */
export type Decider = (review: ParsedReview, deadline: Deadline) => Promise<ReviewDecision>;

export class ReviewDeadline implements Deadline {
  private controller: AbortController | undefined;
  private reason: Error | undefined;

  get expired(): boolean {
    return this.reason !== undefined;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  expire(reason: Error): void {
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

const STATUS_REASON: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export function statusReason(code: number): string {
  return STATUS_REASON[code] ?? 'Forbidden';
}
