import type { ApiVersion } from '@signet/grafeas-client';
import type { Json } from './documents.js';

interface Count {
  resourceUri: string;
  severity?: string;
  fixable: number;
  total: number;
}

function resourceOf(occurrence: Json, version: ApiVersion): string {
  if (version === 'v1') return String(occurrence.resourceUri ?? '');
  return String((occurrence.resource as Json | undefined)?.uri ?? '');
}

function isFixable(vulnerability: Json, version: ApiVersion): boolean {
  if (version === 'v1') return vulnerability.fixAvailable === true;
  const issues = Array.isArray(vulnerability.packageIssue) ? (vulnerability.packageIssue as Json[]) : [];
  return issues.some((issue) => {
    const fixed = issue.fixedLocation as Json | undefined;
    return fixed !== undefined && (fixed.version as Json | undefined)?.kind !== 'MAXIMUM';
  });
}

/**
 * occurrences:vulnerabilitySummary: per resource, one count over every severity (no `severity` field)
 * and one per effective severity. Counts are int64, so JSON strings; no counts is `{}`.
 */
export function vulnerabilitySummary(occurrences: Json[], version: ApiVersion): Json {
  const counts = new Map<string, Count>();
  const bump = (resourceUri: string, severity: string | undefined, fixable: boolean) => {
    const key = `${resourceUri}\u0000${severity ?? ''}`;
    const count = counts.get(key) ?? { resourceUri, ...(severity ? { severity } : {}), fixable: 0, total: 0 };
    count.total++;
    if (fixable) count.fixable++;
    counts.set(key, count);
  };
  for (const occurrence of occurrences) {
    const vulnerability = (occurrence.vulnerability ?? {}) as Json;
    const severity = String(
      vulnerability.effectiveSeverity ?? vulnerability.severity ?? 'SEVERITY_UNSPECIFIED',
    );
    const fixable = isFixable(vulnerability, version);
    bump(resourceOf(occurrence, version), undefined, fixable);
    bump(resourceOf(occurrence, version), severity, fixable);
  }
  if (counts.size === 0) return {};
  return {
    counts: [...counts.values()].map((c) => ({
      resourceUri: c.resourceUri,
      ...(c.severity ? { severity: c.severity } : {}),
      fixableCount: String(c.fixable),
      totalCount: String(c.total),
    })),
  };
}
