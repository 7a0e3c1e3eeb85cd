/**
 * Vulnerability severities as Grafeas and Container Analysis spell them, least severe first. The one
 * list every package reads (the store client parses with it, the policy ranks with it).
 */
export const SEVERITIES = ['SEVERITY_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A severity that says something: every one but SEVERITY_UNSPECIFIED. */
export type KnownSeverity = Exclude<Severity, 'SEVERITY_UNSPECIFIED'>;

/** True for MINIMAL…CRITICAL spelled exactly; UNSPECIFIED and any other spelling are unknown. */
export function isKnownSeverity(value: unknown): value is KnownSeverity {
  return (
    typeof value === 'string' && value !== 'SEVERITY_UNSPECIFIED' && SEVERITIES.includes(value as Severity)
  );
}

/** The first known severity among `candidates`, in order; undefined when none is known. */
export function firstKnownSeverity(candidates: Iterable<unknown>): KnownSeverity | undefined {
  for (const candidate of candidates) if (isKnownSeverity(candidate)) return candidate;
  return undefined;
}
