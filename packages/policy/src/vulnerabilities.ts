import type { VulnerabilityFinding } from './metadata.js';
import type { VulnzSigningPolicy } from './resource-types.js';
import {
  compareSeverity,
  judgeSeverity,
  type KnownSeverity,
  type SeverityLimit,
  withinLimit,
} from './severity.js';

export interface VulnerabilityLimits {
  /** Limit for vulnerabilities that have a fix. */
  maximumFixable: SeverityLimit;
  /** Limit for vulnerabilities without a fix. */
  maximumUnfixable: SeverityLimit;
  /** CVEs to ignore, in any of the accepted spellings. */
  allowlistCVEs: readonly string[];
}

/** A CVE beyond the limits, once per CVE id (its worst occurrence). */
export interface ExcessVulnerability {
  cveId: string;
  /** The severity it was judged at: CRITICAL when no field named a known severity. */
  severity: KnownSeverity;
  /** False when the severity was unknown (UNSPECIFIED, absent or an unrecognised spelling). */
  severityKnown: boolean;
  fixAvailable: boolean;
  limit: SeverityLimit;
  /** Set when the occurrence could not be read (then `cveId` is its name): what could not be read. */
  unreadable?: string;
}

/**
 * `projects/goog-vulnz/notes/CVE-X`, `providers/goog-vulnz/notes/CVE-X` and `CVE-X` are the same CVE
 * (Kritis never matched the guide's `providers/…` form).
 */
export function cveIdOf(text: string): string {
  const id = text.trim();
  const at = id.lastIndexOf('/notes/');
  return (at < 0 ? id : id.slice(at + '/notes/'.length)).toUpperCase();
}

/**
 * Every CVE whose judged severity (see judgeSeverity) exceeds its limit, allowlisted ones skipped; and
 * every occurrence that could not be read, whatever the limits and the allowlist.
 */
export function findExcessVulnerabilities(
  findings: readonly VulnerabilityFinding[],
  limits: VulnerabilityLimits,
): ExcessVulnerability[] {
  const allowlisted = new Set(limits.allowlistCVEs.map(cveIdOf));
  const unreadable: ExcessVulnerability[] = [];
  const worst = new Map<string, ExcessVulnerability>();
  for (const finding of findings) {
    if (finding.unreadable !== undefined) {
      unreadable.push(unreadableExcess(finding, finding.unreadable, limits));
      continue;
    }
    const { severity, known } = judgeSeverity(finding);
    // The fix rule (judgeFixAvailable): anything but `false` is the stricter limit.
    const fixAvailable = finding.fixAvailable !== false;
    const limit = fixAvailable ? limits.maximumFixable : limits.maximumUnfixable;
    if (withinLimit(severity, limit)) continue;
    const cveId = cveIdOf(finding.cveId || finding.noteName || '');
    if (allowlisted.has(cveId) || (finding.noteName && allowlisted.has(cveIdOf(finding.noteName)))) continue;
    const seen = worst.get(cveId);
    if (!seen || compareSeverity(severity, seen.severity) > 0) {
      worst.set(cveId, { cveId, severity, severityKnown: known, fixAvailable, limit });
    }
  }
  return [...unreadable, ...worst.values()];
}

function unreadableExcess(
  finding: VulnerabilityFinding,
  reason: string,
  limits: VulnerabilityLimits,
): ExcessVulnerability {
  return {
    cveId: finding.occurrenceName ?? 'an occurrence without a name',
    severity: 'CRITICAL',
    severityKnown: false,
    fixAvailable: true,
    limit: limits.maximumFixable,
    unreadable: reason,
  };
}

/** The signer's check: may an image with these findings be signed under the VulnzSigningPolicy? */
export function checkVulnzSigningPolicy(
  policy: VulnzSigningPolicy,
  findings: readonly VulnerabilityFinding[],
): { passed: boolean; excess: ExcessVulnerability[] } {
  const excess = findExcessVulnerabilities(findings, {
    maximumFixable: policy.maximumFixableSeverity,
    maximumUnfixable: policy.maximumUnfixableSeverity,
    allowlistCVEs: policy.allowlistCVEs,
  });
  return { passed: excess.length === 0, excess };
}

/**
 * `CVE-1 (HIGH, fix available), CVE-2 (severity unknown, judged CRITICAL, no fix)` — at most `max`
 * listed; an unreadable occurrence reads `occurrence NAME could not be read (REASON)`.
 */
export function describeExcess(excess: readonly ExcessVulnerability[], max = 10): string {
  const listed = excess
    .slice(0, max)
    .map((v) => {
      if (v.unreadable !== undefined) return `occurrence ${v.cveId} could not be read (${v.unreadable})`;
      const severity = v.severityKnown ? v.severity : `severity unknown, judged ${v.severity}`;
      return `${v.cveId} (${severity}, ${v.fixAvailable ? 'fix available' : 'no fix'})`;
    })
    .join(', ');
  return excess.length > max ? `${listed} and ${excess.length - max} more` : listed;
}
