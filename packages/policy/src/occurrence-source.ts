import { judgeFixAvailable } from '@signet/signing/severity';
import { PolicyError } from './errors.js';
import type {
  AttestationEvidence,
  MetadataSource,
  ScanRecord,
  ScanStatus,
  VulnerabilityFinding,
} from './metadata.js';

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

/** Cancels a read (the webhook bounds each shared backend call). */
export interface ReadOptions {
  signal?: AbortSignal;
}

/** One occurrence attached to a note; only attestations are read. */
export type NoteOccurrence =
  | ({ kind: 'ATTESTATION' } & AttestationRecord)
  | { kind: 'VULNERABILITY' | 'DISCOVERY' };

/** The occurrences of one image in a project that a decision reads. */
export interface ImageOccurrenceListing {
  vulnerabilities: readonly VulnerabilityRecord[];
  discoveries: readonly DiscoveryRecord[];
  skipped: readonly UnreadableOccurrence[];
}

/**
 * The two reads of a metadata store a decision needs. Structural: any `MetadataStore` of
 * `@signet/grafeas-client` is one, and so is the webhook's reloading store; the I/O is theirs.
 */
export interface OccurrenceReader {
  /** What the store talks to, as named in messages (e.g. `Grafeas at https://grafeas.example`). */
  readonly backend: string;
  listNoteOccurrences(
    noteName: string,
    resourceUrl: string,
    options?: ReadOptions,
  ): Promise<{ items: readonly NoteOccurrence[]; skipped: readonly UnreadableOccurrence[] }>;
  listImageOccurrences(
    project: string,
    resourceUrl: string,
    options?: ReadOptions,
  ): Promise<ImageOccurrenceListing>;
}

/** One image's part of a read made for several: its answer, or the failure of the call that covered it. */
export type PerImageRead<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The same two reads for several images at once (one filtered query per chunk of images), keyed by the
 * resource URL asked. Optional: grafeas-client's REST store has it; a failed chunk fails its images.
 */
export interface OccurrenceBatchReader {
  listNoteOccurrencesOfImages(
    noteName: string,
    resourceUrls: readonly string[],
    options?: ReadOptions,
  ): Promise<
    ReadonlyMap<
      string,
      PerImageRead<{ items: readonly NoteOccurrence[]; skipped: readonly UnreadableOccurrence[] }>
    >
  >;
  listImageOccurrencesOfImages(
    project: string,
    resourceUrls: readonly string[],
    options?: ReadOptions,
  ): Promise<ReadonlyMap<string, PerImageRead<ImageOccurrenceListing>>>;
}

export function readsInBatches<R extends OccurrenceReader>(reader: R): reader is R & OccurrenceBatchReader {
  return 'listNoteOccurrencesOfImages' in reader && 'listImageOccurrencesOfImages' in reader;
}

/** What one listing of an image's occurrences in a project says about its vulnerabilities. */
export interface ImageScan {
  findings: VulnerabilityFinding[];
  scans: ScanRecord[];
}

export interface OccurrenceSourceOptions {
  /** Told of the occurrences a read left out; `scope` is the note or the project read. */
  onSkipped?: (skipped: readonly UnreadableOccurrence[], scope: string, resourceUrl: string) => void;
}

/**
 * The `MetadataSource` over a store's occurrences: the one place a stored occurrence becomes what the
 * decision reads. Every call reads the store; callers that want a cache wrap this (the webhook does).
 */
export class OccurrenceMetadataSource implements MetadataSource {
  readonly description: string;

  constructor(
    private readonly reader: OccurrenceReader,
    private readonly options: OccurrenceSourceOptions = {},
  ) {
    this.description = reader.backend;
  }

  async attestations(
    noteName: string,
    resourceUrl: string,
    options?: ReadOptions,
  ): Promise<AttestationEvidence[]> {
    const listed = await this.reader.listNoteOccurrences(noteName, resourceUrl, options);
    this.report(listed.skipped, noteName, resourceUrl);
    return listed.items.flatMap((occurrence) =>
      occurrence.kind === 'ATTESTATION' ? [attestationEvidence(occurrence)] : [],
    );
  }

  async vulnerabilities(resourceUrl: string, project: string): Promise<VulnerabilityFinding[]> {
    return (await this.imageScan(resourceUrl, project)).findings;
  }

  async scans(resourceUrl: string, project: string): Promise<ScanRecord[]> {
    return (await this.imageScan(resourceUrl, project)).scans;
  }

  /** An image's vulnerabilities and scan status in `project`, from one read. */
  async imageScan(resourceUrl: string, project: string, options?: ReadOptions): Promise<ImageScan> {
    const listed = await this.reader.listImageOccurrences(project, resourceUrl, options);
    this.report(listed.skipped, project, resourceUrl);
    return imageScanOf(listed);
  }

  /** `attestations` for several images of one note, from the reader's batched read. */
  async attestationsOfImages(
    reader: OccurrenceBatchReader,
    noteName: string,
    resourceUrls: readonly string[],
    options?: ReadOptions,
  ): Promise<Map<string, PerImageRead<AttestationEvidence[]>>> {
    const listed = await reader.listNoteOccurrencesOfImages(noteName, resourceUrls, options);
    return perImage(resourceUrls, listed, (url, share) => {
      this.report(share.skipped, noteName, url);
      return share.items.flatMap((o) => (o.kind === 'ATTESTATION' ? [attestationEvidence(o)] : []));
    });
  }

  /** `imageScan` for several images of one project, from the reader's batched read. */
  async imageScansOfImages(
    reader: OccurrenceBatchReader,
    project: string,
    resourceUrls: readonly string[],
    options?: ReadOptions,
  ): Promise<Map<string, PerImageRead<ImageScan>>> {
    const listed = await reader.listImageOccurrencesOfImages(project, resourceUrls, options);
    return perImage(resourceUrls, listed, (url, share) => {
      this.report(share.skipped, project, url);
      return imageScanOf(share);
    });
  }

  private report(skipped: readonly UnreadableOccurrence[], scope: string, resourceUrl: string): void {
    if (skipped.length > 0) this.options.onSkipped?.(skipped, scope, resourceUrl);
  }
}

function imageScanOf(listed: ImageOccurrenceListing): ImageScan {
  return {
    // Reading is part of deciding: one that may be a vulnerability or a scan fails the image closed.
    findings: [...unreadableFindings(listed.skipped), ...listed.vulnerabilities.map(vulnerabilityFinding)],
    scans: listed.discoveries.map(scanRecord),
  };
}

/** Each image asked, converted; one the reader left out of its answer fails (never read = never admitted). */
function perImage<S, T>(
  resourceUrls: readonly string[],
  listed: ReadonlyMap<string, PerImageRead<S>>,
  convert: (resourceUrl: string, share: S) => T,
): Map<string, PerImageRead<T>> {
  const out = new Map<string, PerImageRead<T>>();
  for (const url of resourceUrls) {
    const share = listed.get(url);
    if (!share)
      out.set(url, {
        ok: false,
        error: new PolicyError(
          'IMAGE_NOT_READ',
          `the metadata store answered nothing for ${url}`,
          'report this as a bug of the metadata store or of Signet: the image was asked for and left out',
        ),
      });
    else out.set(url, share.ok ? { ok: true, value: convert(url, share.value) } : share);
  }
  return out;
}
