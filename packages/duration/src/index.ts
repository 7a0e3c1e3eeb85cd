const PART = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export interface DurationOptions {
  /** Also read a bare number, as seconds (friendly on a command line; Go's syntax has no such form). */
  bareSeconds?: boolean;
}

/**
 * Milliseconds in a duration written the way Go writes them, which is how the API server sends its
 * `?timeout=` and how Signet's flags take them: `500ms`, `10s`, `1m0s`, `1h30m`, `1.5s` (units ns, us,
 * µs, ms, s, m, h). Undefined when `text` is not one (empty, negative, unknown unit, trailing text).
 */
export function parseDuration(text: string, options: DurationOptions = {}): number | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 32) return undefined;
  if (options.bareSeconds && /^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  let rest = trimmed;
  let total = 0;
  while (rest.length > 0) {
    const match = PART.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return Number.isFinite(total) ? total : undefined;
}
