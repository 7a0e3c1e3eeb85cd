/** The API server's default `timeoutSeconds` when a review carries no `?timeout=`. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const GO_DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration as the API server writes it (`5s`, `1m0s`, `500ms`); undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 32) return undefined;
  let rest = text;
  let total = 0;
  while (rest.length > 0) {
    const match = GO_DURATION.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return Number.isFinite(total) ? total : undefined;
}

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
  const asked = typeof timeoutParam === 'string' ? parseGoDuration(timeoutParam) : undefined;
  const timeout = asked !== undefined && asked > 0 ? Math.min(asked, 30_000) : settings.defaultTimeoutMs;
  const margin = Math.min(settings.safetyMarginMs, timeout / 4);
  return Math.max(1, Math.floor(timeout - margin));
}
