import type { ImageReference } from '@signet/signing';

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

/** One layer of a manifest cosign stored, with its exact bytes. */
export interface CosignLayer {
  mediaType: string;
  bytes: Uint8Array;
  annotations: Record<string, string>;
}

/** One manifest read for cosign evidence: the tag looked at (or the referrer's digest), and its layers. */
export interface CosignManifestRead {
  /** The tag looked at, e.g. `sha256-<hex>.sig`. */
  tag?: string;
  /** The manifest's digest, when found (a referrer is named by it). */
  digest?: string;
  /** False when the tag does not exist (no signature, no attestation): then `layers` is empty. */
  found: boolean;
  layers: CosignLayer[];
}

/**
 * What cosign stored in the registry for one image (the same shape as `@signet/registry`'s reader
 * returns; policy does not import it): the `.sig` and `.att` tags of cosign 2.x, and the Sigstore
 * bundles of cosign 3 (OCI referrers, or the fallback tag `sha256-<hex>`).
 */
export interface CosignArtifacts {
  /** The repository read, e.g. `registry.example/team/app` or a COSIGN_REPOSITORY. */
  repository: string;
  signatures: CosignManifestRead;
  attestations: CosignManifestRead;
  bundles: CosignManifestRead[];
}

/** Where to read cosign artefacts: `repository` (cosign's COSIGN_REPOSITORY), or the image's own. */
export interface CosignReadOptions {
  repository?: string;
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
  /**
   * What an attestation lookup of `noteName` that found nothing rests on, for the denial: e.g. a
   * webhook index's age and when a signature written since will be seen. Sources that ask the backend
   * on every lookup omit it.
   */
  describeAbsence?(noteName: string): string | undefined;
}

/**
 * The registry side of the port: where cosign authorities read their evidence. A source that is not
 * also a CosignSource reads no registry, and every cosign authority then denies (fail closed), saying so.
 */
export interface CosignSource {
  /**
   * cosign's signatures, attestations and bundles for `image` (pinned by sha256 digest), from
   * `options.repository` or the image's own repository. A tag that does not exist is `found: false`,
   * never a rejection; a rejection (the registry failed, refused access…) is a backend failure, like a
   * failed Grafeas lookup.
   */
  cosignArtifacts(image: ImageReference, options: CosignReadOptions): Promise<CosignArtifacts>;
}

/**
 * What decisions and the audit read: Grafeas metadata, and cosign evidence when the source is also a
 * CosignSource (a separate interface, so that `Required<MetadataSource>` stays what it was).
 */
export type EvidenceSource = MetadataSource & Partial<CosignSource>;
