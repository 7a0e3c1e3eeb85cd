import { judgeFixAvailable } from '@signet/signing/severity';

/** One ATTESTATION occurrence, in the two shapes Grafeas stores. */
export interface AttestationEvidence {
  noteName: string;
  occurrenceName?: string;
  signature:
    | {
        /** v1beta1 `pgpSignedAttestation`: an attached signature, armored or base64 of armored. */
        form: 'pgp';
        signature: string;
        /** `pgpKeyId`: the signer's fingerprint, as the occurrence declares it. */
        keyId?: string;
      }
    | {
        /** v1beta1 `genericSignedAttestation` and v1 `attestation`. */
        form: 'generic';
        serializedPayload: Uint8Array;
        signatures: { publicKeyId: string; signature: Uint8Array }[];
      };
}

/** One VULNERABILITY occurrence of an image, or one the store could not read. */
export interface VulnerabilityFinding {
  noteName: string;
  /** e.g. CVE-2021-1234 (the note id). */
  cveId: string;
  /** As stored, in any spelling: the judged severity is decided by `judgeSeverity`. */
  severity?: string;
  effectiveSeverity?: string;
  /** Each package issue's `effectiveSeverity`. */
  packageSeverities?: string[];
  /** Each package issue's v1beta1 `severityName`. */
  severityNames?: string[];
  /** Judged by the fix rule (`judgeFixAvailable`): true whenever the fix state is ambiguous. */
  fixAvailable: boolean;
  packages?: string[];
  /** The occurrence's name (`projects/P/occurrences/ID`), when known. */
  occurrenceName?: string;
  /**
   * Set when the store could not read the occurrence: what could not be read. Such a finding exceeds
   * every limit, since what it says is unknown.
   */
  unreadable?: string;
}

/** The analysis status of a DISCOVERY occurrence (Grafeas's AnalysisStatus). */
export type ScanStatus =
  | 'ANALYSIS_STATUS_UNSPECIFIED'
  | 'PENDING'
  | 'SCANNING'
  | 'FINISHED_SUCCESS'
  | 'COMPLETE'
  | 'FINISHED_FAILED'
  | 'FINISHED_UNSUPPORTED';

/** One DISCOVERY occurrence of an image: where its vulnerability scan stands. */
export interface ScanRecord {
  status: ScanStatus;
  /** Why the scan failed, when it did. */
  error?: string;
}

/**
 * Where the decision reads metadata (Grafeas, Container Analysis, the embedded store, a test).
 * Methods reject when the backend fails; the decision turns that into a violation (or a warning
 * when the operator chose fail-open) that names the backend.
 */
export interface MetadataSource {
  /** Shown in messages when a lookup fails, e.g. `Grafeas at https://grafeas.example`. */
  readonly description?: string;
  /** ATTESTATION occurrences of the note `noteName` for the image's resource URL. */
  attestations(noteName: string, resourceUrl: string): Promise<AttestationEvidence[]>;
  /** VULNERABILITY occurrences of the image in `project`. */
  vulnerabilities(resourceUrl: string, project: string): Promise<VulnerabilityFinding[]>;
  /**
   * DISCOVERY occurrences of the image in `project` (read by ImageSecurityPolicies with `requireScan`).
   * A source without it cannot prove a scan finished: those policies deny.
   */
  scans?(resourceUrl: string, project: string): Promise<ScanRecord[]>;
}

/** The fields of a stored ATTESTATION occurrence that a signature check reads. */
export interface AttestationRecord {
  name?: string;
  noteName: string;
  signature: AttestationEvidence['signature'];
}

/** The fields of a stored VULNERABILITY occurrence that a vulnerability check reads. */
export interface VulnerabilityRecord
  extends Omit<VulnerabilityFinding, 'packages' | 'packageSeverities' | 'severityNames' | 'unreadable'> {
  name?: string;
  packages: readonly {
    affectedPackage: string;
    effectiveSeverity?: string;
    severityName?: string;
    fixAvailable?: boolean;
  }[];
}

/** An occurrence as read from a metadata store (e.g. @signet/grafeas-client) → what the decision reads. */
export function attestationEvidence(record: AttestationRecord): AttestationEvidence {
  const { signature } = record;
  return {
    noteName: record.noteName,
    ...(record.name ? { occurrenceName: record.name } : {}),
    signature:
      signature.form === 'pgp'
        ? {
            form: 'pgp',
            signature: signature.signature,
            ...(signature.keyId ? { keyId: signature.keyId } : {}),
          }
        : {
            form: 'generic',
            serializedPayload: signature.serializedPayload,
            signatures: signature.signatures.map(({ publicKeyId, signature }) => ({
              publicKeyId,
              signature,
            })),
          },
  };
}

export function vulnerabilityFinding(record: VulnerabilityRecord): VulnerabilityFinding {
  const texts = (values: unknown[]) => values.flatMap((v) => textOf(v) ?? []);
  const packageSeverities = texts(record.packages.map((issue) => issue.effectiveSeverity));
  const severityNames = texts(record.packages.map((issue) => issue.severityName));
  const severity = textOf(record.severity);
  const effectiveSeverity = textOf(record.effectiveSeverity);
  return {
    noteName: record.noteName,
    cveId: record.cveId,
    ...(severity !== undefined ? { severity } : {}),
    ...(effectiveSeverity !== undefined ? { effectiveSeverity } : {}),
    ...(packageSeverities.length > 0 ? { packageSeverities } : {}),
    ...(severityNames.length > 0 ? { severityNames } : {}),
    fixAvailable: judgeFixAvailable([record.fixAvailable, ...record.packages.map((p) => p.fixAvailable)]),
    packages: record.packages.map((issue) => issue.affectedPackage),
    ...(record.name ? { occurrenceName: record.name } : {}),
  };
}

/** A stored value as text, so a finding can be kept as JSON (a number stays readable: `5` → `"5"`). */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * An occurrence the store could not read, as it reports it (grafeas-client's `Skipped`): its name and
 * the kinds it claims to be (its `kind` field and its details fields), when it says.
 */
export interface UnreadableOccurrence {
  name?: string;
  reason: string;
  kinds?: readonly string[];
}

/** Kinds that no ImageSecurityPolicy reads: skipping one of them can only deny (attestations) or change nothing. */
const KINDS_NOT_READ_BY_SCANS = new Set([
  'ATTESTATION',
  'BUILD',
  'IMAGE',
  'PACKAGE',
  'DEPLOYMENT',
  'UPGRADE',
  'COMPLIANCE',
  'DSSE_ATTESTATION',
  'SBOM_REFERENCE',
  'SECRET',
  'INTOTO',
  'SBOM',
  'SPDX_PACKAGE',
  'SPDX_FILE',
  'SPDX_RELATIONSHIP',
  'VULNERABILITY_ASSESSMENT',
  'AI_SKILL_ANALYSIS',
]);

/**
 * Reading is part of deciding: among an image's occurrences, each one the store could not read and that
 * may be a vulnerability or a scan (it claims that kind, or no kind Signet can skip) becomes a finding
 * that exceeds every limit.
 */
export function unreadableFindings(records: readonly UnreadableOccurrence[]): VulnerabilityFinding[] {
  return records
    .filter((r) => !r.kinds?.length || r.kinds.some((kind) => !KINDS_NOT_READ_BY_SCANS.has(kind)))
    .map((r) => ({
      noteName: '',
      cveId: '',
      fixAvailable: true,
      ...(r.name ? { occurrenceName: r.name } : {}),
      unreadable: r.reason,
    }));
}

/** The fields of a stored DISCOVERY occurrence that a scan check reads. */
export interface DiscoveryRecord {
  analysisStatus: ScanStatus;
  analysisStatusError?: string;
}

export function scanRecord(record: DiscoveryRecord): ScanRecord {
  return {
    status: record.analysisStatus,
    ...(record.analysisStatusError ? { error: record.analysisStatusError } : {}),
  };
}
