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

/** Every CVE whose judged severity (see judgeSeverity) exceeds its limit, allowlisted ones skipped. */
export function findExcessVulnerabilities(
  findings: readonly VulnerabilityFinding[],
  limits: VulnerabilityLimits,
): ExcessVulnerability[] {
  const allowlisted = new Set(limits.allowlistCVEs.map(cveIdOf));
  const worst = new Map<string, ExcessVulnerability>();
  for (const finding of findings) {
    const { severity, known } = judgeSeverity(finding);
    const fixAvailable = finding.fixAvailable === true;
    const limit = fixAvailable ? limits.maximumFixable : limits.maximumUnfixable;
    if (withinLimit(severity, limit)) continue;
    const cveId = cveIdOf(finding.cveId || finding.noteName || '');
    if (allowlisted.has(cveId) || (finding.noteName && allowlisted.has(cveIdOf(finding.noteName)))) continue;
    const seen = worst.get(cveId);
    if (!seen || compareSeverity(severity, seen.severity) > 0) {
      worst.set(cveId, { cveId, severity, severityKnown: known, fixAvailable, limit });
    }
  }
  return [...worst.values()];
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
 * listed.
 */
export function describeExcess(excess: readonly ExcessVulnerability[], max = 10): string {
  const listed = excess
    .slice(0, max)
    .map((v) => {
      const severity = v.severityKnown ? v.severity : `severity unknown, judged ${v.severity}`;
      return `${v.cveId} (${severity}, ${v.fixAvailable ? 'fix available' : 'no fix'})`;
    })
    .join(', ');
  return excess.length > max ? `${listed} and ${excess.length - max} more` : listed;
}
