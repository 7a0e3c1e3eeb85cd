import { parseDuration } from '@signet/duration';

/** The API server's default `timeoutSeconds` when a review carries no `?timeout=`. */
const DEFAULT_TIMEOUT_MS = 10_000;

export interface DeadlineSettings {
  /** Subtracted from the API server's timeout so that the answer travels back in time. */
  safetyMarginMs: number;
  /** Used when the review carries no usable `?timeout=`. */
  defaultTimeoutMs: number;
}

export const DEFAULT_DEADLINE_SETTINGS: DeadlineSettings = {
  safetyMarginMs: 500,
  defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
};

/**
 * How long Signet may spend on a review: the API server's timeout minus the safety margin; for very short
 * timeouts the margin shrinks to a quarter of the timeout.
 */
export function budgetFromTimeout(timeoutParam: unknown, settings: DeadlineSettings): number {
  const asked = typeof timeoutParam === 'string' ? parseDuration(timeoutParam) : undefined;
  const timeout = asked !== undefined && asked > 0 ? Math.min(asked, 30_000) : settings.defaultTimeoutMs;
  const margin = Math.min(settings.safetyMarginMs, timeout / 4);
  return Math.max(1, Math.floor(timeout - margin));
}

/**
 * Whether a review's time ran out (it has been answered already), and how much is left. It cancels
 * nothing: backend calls are shared between reviews and bounded by the metadata cache's `loadTimeoutMs`;
 * a lookup that would wait (a warming index) asks `remainingMs` to answer in time instead.
 */
export interface Deadline {
  readonly expired: boolean;
  /** Milliseconds until the review is answered without the decision (0 once expired). */
  remainingMs(): number;
}

/** The deadline of one review; the review handler expires it when it answers without the decision. */
export class ReviewDeadline implements Deadline {
  expired = false;
  private readonly endsAt: number;

  /** `budgetMs` from now (`performance.now` unless a clock is given); no budget: none is known. */
  constructor(
    budgetMs = Number.POSITIVE_INFINITY,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.endsAt = clock() + budgetMs;
  }

  remainingMs(): number {
    return this.expired ? 0 : Math.max(0, this.endsAt - this.clock());
  }

  expire(): void {
    this.expired = true;
  }
}
