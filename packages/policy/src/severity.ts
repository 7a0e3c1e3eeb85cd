import { firstKnownSeverity, type KnownSeverity, SEVERITIES, type Severity } from '@signet/signing/severity';

export { type KnownSeverity, SEVERITIES, type Severity };

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

/** The severity a vulnerability is judged at, and whether it was known or assumed. */
export interface JudgedSeverity {
  severity: KnownSeverity;
  /** False when no field named a known severity: then it is judged as CRITICAL (never fail open). */
  known: boolean;
}

/**
 * The first known of `effectiveSeverity`, `severity`, then the package issues' severities (in that
 * order); SEVERITY_UNSPECIFIED and unrecognised spellings are unknown, and unknown is judged CRITICAL.
 */
export function judgeSeverity(fields: {
  effectiveSeverity?: string | undefined;
  severity?: string | undefined;
  packageSeverities?: readonly (string | undefined)[] | undefined;
}): JudgedSeverity {
  const known = firstKnownSeverity([
    fields.effectiveSeverity,
    fields.severity,
    ...(fields.packageSeverities ?? []),
  ]);
  return known ? { severity: known, known: true } : { severity: 'CRITICAL', known: false };
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
