import type { AttestationEvidence, MetadataSource, ScanRecord, VulnerabilityFinding } from '../metadata.js';

/**
 * An in-memory metadata store (what an emulator or a cache would hold): attestations by note and
 * resource URL, vulnerabilities by project and resource URL. Failures can be switched on.
 */
export class MemoryMetadata implements MetadataSource {
  readonly description = 'test store';
  readonly calls: string[] = [];
  /** Record calls in `calls` (off in benchmarks, where the list would only grow). */
  recordCalls = true;
  attestationFailure: Error | undefined;
  vulnerabilityFailure: Error | undefined;
  private readonly attestationsByKey = new Map<string, AttestationEvidence[]>();
  private readonly vulnerabilitiesByKey = new Map<string, VulnerabilityFinding[]>();
  private readonly scansByKey = new Map<string, ScanRecord[]>();

  addAttestation(noteName: string, resourceUrl: string, evidence: AttestationEvidence): this {
    const key = `${noteName}|${resourceUrl}`;
    this.attestationsByKey.set(key, [...(this.attestationsByKey.get(key) ?? []), evidence]);
    return this;
  }

  setVulnerabilities(project: string, resourceUrl: string, findings: VulnerabilityFinding[]): this {
    this.vulnerabilitiesByKey.set(`${project}|${resourceUrl}`, findings);
    return this;
  }

  async attestations(noteName: string, resourceUrl: string): Promise<AttestationEvidence[]> {
    if (this.recordCalls) this.calls.push(`attestations ${noteName} ${resourceUrl}`);
    if (this.attestationFailure) throw this.attestationFailure;
    return this.attestationsByKey.get(`${noteName}|${resourceUrl}`) ?? [];
  }

  async vulnerabilities(resourceUrl: string, project: string): Promise<VulnerabilityFinding[]> {
    if (this.recordCalls) this.calls.push(`vulnerabilities ${project} ${resourceUrl}`);
    if (this.vulnerabilityFailure) throw this.vulnerabilityFailure;
    return this.vulnerabilitiesByKey.get(`${project}|${resourceUrl}`) ?? [];
  }

  setScans(project: string, resourceUrl: string, scans: ScanRecord[]): this {
    this.scansByKey.set(`${project}|${resourceUrl}`, scans);
    return this;
  }

  async scans(resourceUrl: string, project: string): Promise<ScanRecord[]> {
    if (this.recordCalls) this.calls.push(`scans ${project} ${resourceUrl}`);
    if (this.vulnerabilityFailure) throw this.vulnerabilityFailure;
    return this.scansByKey.get(`${project}|${resourceUrl}`) ?? [];
  }
}

export function finding(
  cveId: string,
  severity: VulnerabilityFinding['severity'],
  fixAvailable: boolean,
  extra: Partial<VulnerabilityFinding> = {},
): VulnerabilityFinding {
  return { noteName: `projects/goog-vulnz/notes/${cveId}`, cveId, severity, fixAvailable, ...extra };
}
