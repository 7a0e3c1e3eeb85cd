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

/** One VULNERABILITY occurrence of an image. */
export interface VulnerabilityFinding {
  noteName: string;
  /** e.g. CVE-2021-1234 (the note id). */
  cveId: string;
  /** As stored, in any spelling: the judged severity is decided by `judgeSeverity`. */
  severity?: string;
  effectiveSeverity?: string;
  /** Each package issue's `effectiveSeverity`, then its v1beta1 `severityName`. */
  packageSeverities?: string[];
  fixAvailable: boolean;
  packages?: string[];
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
export interface VulnerabilityRecord extends Omit<VulnerabilityFinding, 'packages' | 'packageSeverities'> {
  packages: readonly { affectedPackage: string; effectiveSeverity?: string; severityName?: string }[];
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
  const packageSeverities = record.packages.flatMap((issue) =>
    [issue.effectiveSeverity, issue.severityName].filter((s): s is string => typeof s === 'string'),
  );
  return {
    noteName: record.noteName,
    cveId: record.cveId,
    ...(record.severity !== undefined ? { severity: record.severity } : {}),
    ...(record.effectiveSeverity !== undefined ? { effectiveSeverity: record.effectiveSeverity } : {}),
    ...(packageSeverities.length > 0 ? { packageSeverities } : {}),
    fixAvailable: record.fixAvailable,
    packages: record.packages.map((issue) => issue.affectedPackage),
  };
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
