import { type KnownSeverity, readSeverity, SEVERITIES, type Severity } from '@signet/signing/severity';

export { readSeverity } from '@signet/signing/severity';
export type { KnownSeverity, Severity };

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

/** Reads any value as a Severity (see readSeverity); no information and unknown values are SEVERITY_UNSPECIFIED. */
export function toSeverity(value: unknown): Severity {
  const reading = readSeverity(value);
  return reading === 'NONE' || reading === 'UNKNOWN' ? 'SEVERITY_UNSPECIFIED' : reading;
}

/** The severity a vulnerability is judged at, and whether it was known or assumed. */
export interface JudgedSeverity {
  severity: KnownSeverity;
  /** False when a field held an unknown value, or none said anything: then it is judged CRITICAL. */
  known: boolean;
}

/** The severity fields of one VULNERABILITY occurrence, as stored (names in any case, or numbers). */
export interface SeverityFields {
  effectiveSeverity?: unknown;
  severity?: unknown;
  /** Each package issue's `effectiveSeverity`. */
  packageSeverities?: readonly unknown[] | undefined;
  /** Each package issue's v1beta1 `severityName`. */
  severityNames?: readonly unknown[] | undefined;
}

/**
 * The severity rule. The worst known of the occurrence's `effectiveSeverity` and every package issue's
 * `effectiveSeverity`; only when none of them says anything, `severity`, then the worst `severityName`.
 * Values are read by readSeverity. A value that is neither a severity nor "no information" (absent,
 * SEVERITY_UNSPECIFIED) in any of these fields makes the whole judged CRITICAL, and so does a
 * vulnerability whose fields say nothing at all.
 */
export function judgeSeverity(fields: SeverityFields): JudgedSeverity {
  const tiers = [
    [fields.effectiveSeverity, ...(fields.packageSeverities ?? [])],
    [fields.severity],
    [...(fields.severityNames ?? [])],
  ].map((tier) => tier.map(readSeverity));
  if (tiers.some((tier) => tier.includes('UNKNOWN'))) return { severity: 'CRITICAL', known: false };
  for (const tier of tiers) {
    const known = tier.filter((reading): reading is KnownSeverity => reading !== 'NONE');
    if (known.length > 0) return { severity: worst(known), known: true };
  }
  return { severity: 'CRITICAL', known: false };
}

function worst(severities: readonly KnownSeverity[]): KnownSeverity {
  return severities.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
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
