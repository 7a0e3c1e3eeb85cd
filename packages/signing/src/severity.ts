/**
 * Vulnerability severities as Grafeas and Container Analysis spell them, least severe first; a value's
 * position is its proto number. The one list every package reads (the store client parses with it, the
 * policy ranks with it).
 */
export const SEVERITIES = ['SEVERITY_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A severity that says something: every one but SEVERITY_UNSPECIFIED. */
export type KnownSeverity = Exclude<Severity, 'SEVERITY_UNSPECIFIED'>;

/**
 * What one severity field says: a known severity; `NONE` (absent, null, SEVERITY_UNSPECIFIED or 0: no
 * information); or `UNKNOWN` (any other value, which a decision judges as CRITICAL).
 */
export type SeverityReading = KnownSeverity | 'NONE' | 'UNKNOWN';

/**
 * Reads one severity field as proto3 JSON may carry it: by name in any case (`HIGH`, `high`), or by its
 * proto number as a JSON number or a numeric string (`4`, `"4"`).
 */
export function readSeverity(value: unknown): SeverityReading {
  if (value === undefined || value === null) return 'NONE';
  const index = severityIndex(value);
  if (index === undefined) return 'UNKNOWN';
  return index === 0 ? 'NONE' : (SEVERITIES[index] as KnownSeverity);
}

function severityIndex(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? lookup(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return lookup(Number(text));
  const index = SEVERITIES.indexOf(text.toUpperCase() as Severity);
  return index < 0 ? undefined : index;
}

function lookup(index: number): number | undefined {
  return index < SEVERITIES.length ? index : undefined;
}

/**
 * The fix rule. A vulnerability counts as fixable (so the stricter of a policy's two limits applies)
 * when any of its fix flags (the occurrence's and each package issue's) says so, or when any flag that
 * is present is not a boolean: an ambiguous fix state is judged by the stricter limit. Only when every
 * flag present says `false` (or none is present) does it count as without a fix.
 */
export function judgeFixAvailable(flags: Iterable<unknown>): boolean {
  for (const flag of flags) {
    if (flag === undefined || flag === null || flag === false) continue;
    return true;
  }
  return false;
}
