import { GrafeasError } from '../errors.js';
import { abortError, sleep } from './abort.js';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * Retry throttling, unavailability and 5xx with exponential backoff and full jitter, bounded by the
 * number of attempts and by the signal's deadline (which also interrupts the wait).
 */
export async function withRetry<T>(
  backend: string,
  signal: AbortSignal,
  policy: RetryPolicy,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const last = i >= policy.attempts - 1;
      if (!(error instanceof GrafeasError) || !error.retryable || last || signal.aborted) throw error;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i);
      await sleep(Math.random() * cap, signal, () => abortError(backend, signal, error));
    }
  }
}
