/** The one internal model of notes and occurrences, independent of the wire version. */

import type { Severity } from '@signet/signing/severity';

export { SEVERITIES, type Severity } from '@signet/signing/severity';

/**
 * A severity as read: one of SEVERITIES (names in any case and proto numbers are read as their name;
 * absent is SEVERITY_UNSPECIFIED), or the text of a value Grafeas does not define, kept as written so a
 * decision judges it unknown rather than as no information.
 */
export type StoredSeverity = Severity | (string & {});

export type ApiVersion = 'v1' | 'v1beta1';

export const VERSION_KINDS = ['VERSION_KIND_UNSPECIFIED', 'NORMAL', 'MINIMUM', 'MAXIMUM'] as const;
type VersionKind = (typeof VERSION_KINDS)[number];

export const CONTENT_TYPES = ['CONTENT_TYPE_UNSPECIFIED', 'SIMPLE_SIGNING_JSON'] as const;
type ContentType = (typeof CONTENT_TYPES)[number];

export const ANALYSIS_STATUSES = [
  'ANALYSIS_STATUS_UNSPECIFIED',
  'PENDING',
  'SCANNING',
  'FINISHED_SUCCESS',
  'COMPLETE',
  'FINISHED_FAILED',
  'FINISHED_UNSUPPORTED',
] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

export type NoteKind = 'ATTESTATION' | 'VULNERABILITY';
export type OccurrenceKind = 'ATTESTATION' | 'VULNERABILITY' | 'DISCOVERY';

export interface RelatedUrl {
  url: string;
  label?: string;
}

/** Output-only fields every stored resource carries. */
export interface Stored {
  name: string;
  createTime?: string;
  updateTime?: string;
}

interface NoteCommon {
  shortDescription?: string;
  longDescription?: string;
  relatedUrls?: RelatedUrl[];
}

interface AttestationNoteSpec extends NoteCommon {
  kind: 'ATTESTATION';
  humanReadableName?: string;
}

export interface VulnerabilityNoteDetail {
  cpeUri: string;
  package: string;
  description?: string;
  severityName?: string;
  minAffectedVersion?: PackageVersion;
  maxAffectedVersion?: PackageVersion;
  fixedCpeUri?: string;
  fixedPackage?: string;
  fixedVersion?: PackageVersion;
}

interface VulnerabilityNoteSpec extends NoteCommon {
  kind: 'VULNERABILITY';
  severity: StoredSeverity;
  cvssScore?: number;
  details: VulnerabilityNoteDetail[];
}

export type NoteSpec = AttestationNoteSpec | VulnerabilityNoteSpec;
type AttestationNote = AttestationNoteSpec & Stored;
type VulnerabilityNote = VulnerabilityNoteSpec & Stored;
export type Note = AttestationNote | VulnerabilityNote;

export interface PackageVersion {
  kind: VersionKind;
  name?: string;
  epoch?: number;
  revision?: string;
  inclusive?: boolean;
  fullName?: string;
}

export interface SignatureBytes {
  publicKeyId: string;
  signature: Uint8Array;
}

/**
 * How an attestation is signed. `pgp`: v1beta1 pgpSignedAttestation, the signature string exactly as
 * stored (armored text, or base64 of it — both occur). `generic`: v1beta1 genericSignedAttestation and
 * v1 attestation{serializedPayload, signatures}.
 */
export type AttestationSignature =
  | { form: 'pgp'; signature: string; contentType: ContentType; keyId: string }
  | {
      form: 'generic';
      contentType?: ContentType;
      serializedPayload: Uint8Array;
      signatures: SignatureBytes[];
    };

interface OccurrenceCommon {
  /** https://REGISTRY/REPO@sha256:HEX — v1 resourceUri, v1beta1 resource.uri. */
  resourceUri: string;
  noteName: string;
  remediation?: string;
}

export interface AttestationOccurrenceSpec extends OccurrenceCommon {
  kind: 'ATTESTATION';
  signature: AttestationSignature;
}

export interface PackageIssue {
  affectedCpeUri: string;
  affectedPackage: string;
  affectedVersion?: PackageVersion;
  fixedCpeUri?: string;
  fixedPackage?: string;
  fixedVersion?: PackageVersion;
  fixAvailable: boolean;
  packageType?: string;
  effectiveSeverity?: StoredSeverity;
  /** v1beta1 only (deprecated there, still written): the package's severity as a name. */
  severityName?: string;
}

export interface VulnerabilityOccurrenceSpec extends OccurrenceCommon {
  kind: 'VULNERABILITY';
  severity: StoredSeverity;
  effectiveSeverity: StoredSeverity;
  cvssScore?: number;
  /**
   * The fix rule (`judgeFixAvailable` of @signet/signing): true when v1 `fixAvailable` or any package
   * issue's fix flag says so, or any of them is not a boolean; false only when none says so.
   */
  fixAvailable: boolean;
  packages: PackageIssue[];
  shortDescription?: string;
  longDescription?: string;
}

export interface DiscoveryOccurrenceSpec extends OccurrenceCommon {
  kind: 'DISCOVERY';
  analysisStatus: AnalysisStatus;
  continuousAnalysis?: string;
  analysisStatusError?: string;
  lastAnalysisTime?: string;
}

export type OccurrenceSpec =
  | AttestationOccurrenceSpec
  | VulnerabilityOccurrenceSpec
  | DiscoveryOccurrenceSpec;

export type AttestationOccurrence = AttestationOccurrenceSpec & Stored;
/** `cveId` is the last segment of noteName (projects/goog-vulnz/notes/CVE-X -> CVE-X). */
export type VulnerabilityOccurrence = VulnerabilityOccurrenceSpec & Stored & { cveId: string };
type DiscoveryOccurrence = DiscoveryOccurrenceSpec & Stored;
export type Occurrence = AttestationOccurrence | VulnerabilityOccurrence | DiscoveryOccurrence;

/** Something the backend returned that could not be understood: reported, never thrown. */
export interface Skipped {
  name?: string;
  reason: string;
  /** Its resource URI, when that could be read. */
  resourceUri?: string;
  /**
   * The kinds it claims to be, from its `kind` field and its details fields (e.g. `VULNERABILITY`);
   * empty when it names none. A reader decides by them whether skipping it could admit an image.
   */
  kinds: string[];
}

export interface ListResult<T> {
  items: T[];
  skipped: Skipped[];
}

export interface ImageOccurrences {
  attestations: AttestationOccurrence[];
  vulnerabilities: VulnerabilityOccurrence[];
  discoveries: DiscoveryOccurrence[];
  skipped: Skipped[];
}

function cveIdOf(noteName: string): string {
  const last = noteName.split('/').pop();
  return last ?? noteName;
}

/** Attach the output-only fields to a spec. */
export function storedOccurrence(spec: OccurrenceSpec, stored: Stored): Occurrence {
  if (spec.kind === 'VULNERABILITY') return { ...spec, ...stored, cveId: cveIdOf(spec.noteName) };
  return { ...spec, ...stored };
}

/** Drop output-only fields, leaving what a create call sends. */
export function occurrenceSpecOf(occurrence: Occurrence | OccurrenceSpec): OccurrenceSpec {
  const {
    name: _n,
    createTime: _c,
    updateTime: _u,
    cveId: _v,
    ...spec
  } = occurrence as Occurrence & {
    cveId?: string;
  };
  return spec as OccurrenceSpec;
}

export function noteSpecOf(note: Note | NoteSpec): NoteSpec {
  const { name: _n, createTime: _c, updateTime: _u, ...spec } = note as Note;
  return spec as NoteSpec;
}
