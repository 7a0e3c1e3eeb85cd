import type {
  ImageOccurrences,
  ListResult,
  Note,
  NoteKind,
  NoteSpec,
  Occurrence,
  OccurrenceKind,
  OccurrenceSpec,
  Skipped,
} from './model.js';
import type { PagingProgress } from './rest/paging.js';

export interface CallOptions {
  /** Deadline / cancellation for the whole call, retries included. */
  signal?: AbortSignal;
}

/** Everything in a project, or everything attached to one note. */
export type OccurrenceScope = { project: string } | { noteName: string };

/**
 * `signal` bounds the whole scan; each page also gets the store's per-call timeout, so a large scope
 * takes as long as its pages need, and a server that stops answering fails the scan.
 */
export interface ScanOptions extends CallOptions {
  /** Called after each page read (pages and occurrences so far), e.g. to show progress. */
  onPage?: (progress: PagingProgress) => void;
}

/** What a scan that handed its occurrences to a visitor read. */
export interface ScanSummary {
  /** Occurrences handed to the visitor. */
  items: number;
  skipped: Skipped[];
}

/**
 * Whether list filters are applied by the server. `probe`: a list filtered on a resource no image has
 * returned something (ignored) or returned nothing while the project holds occurrences (applied).
 * `assumed`: the probe could not tell (an empty project, or it failed), so the URL scheme decides: `grafeas:`
 * (open-source Grafeas, whose stores ignore filters) is ignored, every other is applied.
 */
export interface FilterSupport {
  filters: 'applied' | 'ignored';
  how: 'probe' | 'assumed' | 'local';
  /** Why the probe could not tell (the server refused the filter, or could not be reached). */
  probeFailed?: string;
}

export interface OccurrenceFilter {
  /** The image's resource URL, e.g. https://gcr.io/P/app@sha256:HEX: both spellings (with and without https://) match. */
  resourceUrl?: string;
  kind?: OccurrenceKind;
}

/**
 * Grafeas notes and occurrences, whichever backend holds them. `project` is a project id ("P") or
 * its name ("projects/P"). Lists follow every page; what cannot be understood comes back in `skipped`.
 * Creating something that already exists succeeds and returns the existing resource where it can.
 */
/** One image's part of a listing made for several: its answer, or the failure of the call that covered it. */
export type PerImage<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Listings of several images in one filtered query (an `OR` of their resource URLs, in chunks), for
 * stores where a query costs a round trip. Keyed by the resource URL asked; a failed chunk fails
 * exactly the images it covered.
 */
export interface ImageBatchReads {
  listImageOccurrencesOfImages(
    project: string,
    resourceUrls: readonly string[],
    options?: CallOptions,
  ): Promise<Map<string, PerImage<ImageOccurrences>>>;
  listNoteOccurrencesOfImages(
    noteName: string,
    resourceUrls: readonly string[],
    options?: CallOptions,
  ): Promise<Map<string, PerImage<ListResult<Occurrence>>>>;
}

export interface MetadataStore {
  /** What this store talks to, as named in errors (e.g. `sqlite:/var/lib/signet.db`). */
  readonly backend: string;
  createNote(project: string, noteId: string, note: NoteSpec, options?: CallOptions): Promise<Note>;
  getNote(name: string, options?: CallOptions): Promise<Note>;
  listNotes(project: string, options?: CallOptions & { kind?: NoteKind }): Promise<ListResult<Note>>;
  deleteNote(name: string, options?: CallOptions): Promise<void>;
  createOccurrence(project: string, occurrence: OccurrenceSpec, options?: CallOptions): Promise<Occurrence>;
  batchCreateOccurrences(
    project: string,
    occurrences: OccurrenceSpec[],
    options?: CallOptions,
  ): Promise<Occurrence[]>;
  getOccurrence(name: string, options?: CallOptions): Promise<Occurrence>;
  listOccurrences(project: string, options?: CallOptions & OccurrenceFilter): Promise<ListResult<Occurrence>>;
  deleteOccurrence(name: string, options?: CallOptions): Promise<void>;
  /**
   * Attestations, vulnerabilities and discovery status of one image (its resource URL in either
   * spelling), in one pass over every page.
   */
  listImageOccurrences(
    project: string,
    resourceUrl: string,
    options?: CallOptions,
  ): Promise<ImageOccurrences>;
  /**
   * The occurrences attached to a note (e.g. an attestor's) for one resource URL in either spelling,
   * wherever their project. A note that does not exist has none: an empty list, not an error.
   */
  listNoteOccurrences(
    noteName: string,
    resourceUrl: string,
    options?: CallOptions,
  ): Promise<ListResult<Occurrence>>;
  /** Every occurrence of a project or of a note, unfiltered, page by page (one scan of the whole scope). */
  scanOccurrences(scope: OccurrenceScope, options?: ScanOptions): Promise<ListResult<Occurrence>>;
  /**
   * The same scan, handing each occurrence to `visit` as its page is read and keeping none: memory stays
   * at one page whatever the size of the scope.
   */
  visitOccurrences(
    scope: OccurrenceScope,
    visit: (occurrence: Occurrence) => void,
    options?: ScanOptions,
  ): Promise<ScanSummary>;
  /** Whether this backend applies list filters (see FilterSupport). */
  filterSupport(project: string, options?: CallOptions): Promise<FilterSupport>;
  close(): Promise<void>;
}
