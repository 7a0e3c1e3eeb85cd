/** Severities as Grafeas reports them (unknown values are read as SEVERITY_UNSPECIFIED). */
export const SEVERITIES = ['SEVERITY_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A policy's limit: a severity, or BLOCK_ALL / ALLOW_ALL. */
export const SEVERITY_LIMITS = [
  'MINIMAL',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
  'BLOCK_ALL',
  'ALLOW_ALL',
] as const;
export type SeverityLimit = (typeof SEVERITY_LIMITS)[number];

/** A severity's position in SEVERITIES, least severe first. */
const RANK = Object.fromEntries(SEVERITIES.map((severity, rank) => [severity, rank])) as Record<
  Severity,
  number
>;

/** Reads any string as a Severity; anything unknown is SEVERITY_UNSPECIFIED (Grafeas adds values). */
export function toSeverity(value: unknown): Severity {
  return typeof value === 'string' && Object.hasOwn(RANK, value)
    ? (value as Severity)
    : 'SEVERITY_UNSPECIFIED';
}

/** True when a vulnerability of `severity` is within `limit`. */
export function withinLimit(severity: Severity, limit: SeverityLimit): boolean {
  if (limit === 'ALLOW_ALL') return true;
  if (limit === 'BLOCK_ALL') return false;
  return RANK[severity] <= RANK[limit];
}

/** Negative, zero or positive as `a` is less, as or more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}
