import {
  type AttestationEvidence,
  type AttestationRecord,
  attestationEvidence,
  type DiscoveryRecord,
  type MetadataSource,
  type ScanRecord,
  scanRecord,
  type UnreadableOccurrence,
  unreadableFindings,
  type VulnerabilityFinding,
  type VulnerabilityRecord,
  vulnerabilityFinding,
} from './metadata.js';

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
    return {
      // Reading is part of deciding: one that may be a vulnerability or a scan fails the image closed.
      findings: [...unreadableFindings(listed.skipped), ...listed.vulnerabilities.map(vulnerabilityFinding)],
      scans: listed.discoveries.map(scanRecord),
    };
  }

  private report(skipped: readonly UnreadableOccurrence[], scope: string, resourceUrl: string): void {
    if (skipped.length > 0) this.options.onSkipped?.(skipped, scope, resourceUrl);
  }
}
