import { collectScan } from '../collect-scan.js';
import { type GrafeasError, isGrafeasError, localGrafeasError } from '../errors.js';
import type {
  ImageOccurrences,
  ListResult,
  Note,
  NoteKind,
  NoteSpec,
  Occurrence,
  OccurrenceSpec,
  Skipped,
} from '../model.js';
import { noteSpecOf, occurrenceSpecOf, storedOccurrence } from '../model.js';
import { partitionImageOccurrences } from '../partition.js';
import { filterString, isSameResource, resourceUrlFilter } from '../resource-url.js';
import { attestationFingerprint } from '../sqlite/record.js';
import type {
  CallOptions,
  FilterSupport,
  ImageBatchReads,
  MetadataStore,
  OccurrenceFilter,
  OccurrenceScope,
  PerImage,
  ScanOptions,
  ScanSummary,
} from '../store.js';
import {
  checkOccurrenceSpec,
  requireNoteId,
  requireNoteName,
  requireOccurrenceName,
  requireProjectId,
} from '../store-arguments.js';
import type { WireMapper, WireNote, WireOccurrence } from '../wire/index.js';
import { followPages, type PagingLimits } from './paging.js';
import { type RetryPolicy, withRetry } from './retry.js';
import type { WireCall, WireTransport } from './transport.js';

export interface RestStoreOptions {
  /** Deadline of each call when the caller gives no signal (retries and pages included). */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Items per list page (the API caps it at 1000). */
  pageSize: number;
  /**
   * Items per page of a whole note's read (`visitOccurrences`): Grafeas v0.1.0 neither defaults nor caps
   * it, and its memstore scans every occurrence and sorts the note's for each page, so fewer pages are
   * less of its work. A server that refuses the size on the first page is read with `pageSize`.
   */
  notePageSize: number;
  /** Lines worth seeing when debugging, never errors. */
  debug: (line: string) => void;
  /** Hard bounds of one listing. */
  paging: PagingLimits;
  /** `ignored`: a filter-ignoring server unless a probe proves otherwise (the `grafeas:` scheme). */
  assumedFilters: 'applied' | 'ignored';
}

const MAX_BATCH = 1000;
/** `kind` is output-only, but without it real Grafeas stores NOTE_KIND_UNSPECIFIED (gcloud sends it too). */
const WITH_KIND = { kind: true };
/** Keep batch bodies under the 1 MiB request limit of the emulator (and well under Google's). */
const MAX_BATCH_BYTES = 900 * 1024;

/** Split into batches of at most 1000 items and about MAX_BATCH_BYTES of JSON. */
function batches<T>(items: T[], toWire: (item: T) => unknown): [T, unknown][][] {
  const out: [T, unknown][][] = [];
  let current: [T, unknown][] = [];
  let bytes = 0;
  for (const item of items) {
    const wire = toWire(item);
    const size = Buffer.byteLength(JSON.stringify(wire)) + 1;
    if (current.length > 0 && (current.length >= MAX_BATCH || bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push([item, wire]);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The filter Google understands; OSS ignores it, so results are always re-checked here. */
function occurrenceFilter(filter: OccurrenceFilter): string | undefined {
  const parts: string[] = [];
  if (filter.resourceUrl !== undefined) parts.push(`(${resourceUrlFilter(filter.resourceUrl)})`);
  if (filter.kind) parts.push(`kind = ${filterString(filter.kind)}`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

interface PagesOptions extends ScanOptions {
  /** `page`: each page gets the per-call timeout instead of the whole listing (scans of a scope). */
  deadline?: 'listing' | 'page';
}

/**
 * Longest filter of one batched listing: Google reads the filter from the query string, and URLs past
 * a few KiB are refused by proxies on the way. About 10 images of ~100-character references.
 */
const MAX_FILTER_CHARS = 4_000;

/** Resource URLs in chunks whose `OR` filter stays under MAX_FILTER_CHARS (one URL per chunk at least). */
function filterChunks(resourceUrls: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const url of new Set(resourceUrls)) {
    const size = resourceUrlFilter(url).length + 6;
    if (current.length > 0 && length + size > MAX_FILTER_CHARS) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    current.push(url);
    length += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** `(spellings of A) OR (spellings of B) …`. */
function resourcesFilter(resourceUrls: readonly string[]): string {
  return resourceUrls.map((url) => `(${resourceUrlFilter(url)})`).join(' OR ');
}

/**
 * One image's share of a listing made for several: its own occurrences (re-checked here, the server
 * may ignore the filter) and the unreadable ones that are its own or name no image (which fail every
 * image of the listing closed: nobody can tell whose they are).
 */
function shareOf(listed: ListResult<Occurrence>, resourceUrl: string): ListResult<Occurrence> {
  return {
    items: listed.items.filter((o) => isSameResource(o.resourceUri, resourceUrl)),
    skipped: listed.skipped.filter(
      (s) => s.resourceUri === undefined || isSameResource(s.resourceUri, resourceUrl),
    ),
  };
}

/** A resource no image can have: a server that returns anything for it ignores filters. */
const PROBE_RESOURCE = `https://signet.invalid/filter-probe@sha256:${'0'.repeat(64)}`;

function matches(o: Pick<Occurrence, 'kind' | 'resourceUri'>, filter: OccurrenceFilter): boolean {
  if (filter.resourceUrl !== undefined && !isSameResource(o.resourceUri, filter.resourceUrl)) return false;
  return !filter.kind || o.kind === filter.kind;
}

/** A MetadataStore over a Grafeas REST API (Google v1 / v1beta1, or the OSS server). */
export class RestMetadataStore implements MetadataStore, ImageBatchReads {
  readonly backend: string;

  constructor(
    private readonly transport: WireTransport,
    private readonly mapper: WireMapper,
    private readonly options: RestStoreOptions,
  ) {
    this.backend = transport.backend;
  }

  async createNote(project: string, noteId: string, note: NoteSpec, options?: CallOptions): Promise<Note> {
    const projectId = requireProjectId(this.backend, project);
    const parent = `projects/${projectId}`;
    const name = requireNoteId(this.backend, projectId, noteId);
    const body = this.mapper.noteToWire(noteSpecOf(note), WITH_KIND);
    try {
      const json = await this.send({ op: 'notes.create', parent, noteId, body }, options);
      return this.note(json, name);
    } catch (error) {
      if (isGrafeasError(error, 'GRAFEAS_ALREADY_EXISTS')) return this.getNote(name, options);
      throw error;
    }
  }

  async getNote(name: string, options?: CallOptions): Promise<Note> {
    requireNoteName(this.backend, name);
    return this.note(await this.send({ op: 'notes.get', name }, options), name);
  }

  async listNotes(project: string, options?: CallOptions & { kind?: NoteKind }): Promise<ListResult<Note>> {
    const parent = this.parent(project);
    const items: Note[] = [];
    const skipped: Skipped[] = [];
    await this.pages(
      options,
      'notes',
      (pageToken) => ({ op: 'notes.list', parent, ...this.page(pageToken) }),
      (raw) => {
        const parsed = this.mapper.noteFromWire(raw);
        if (!parsed.ok) skipped.push(parsed.skipped);
        else if (!options?.kind || parsed.value.spec.kind === options.kind)
          items.push(this.storedNote(parsed.value));
      },
    );
    return { items, skipped };
  }

  async deleteNote(name: string, options?: CallOptions): Promise<void> {
    requireNoteName(this.backend, name);
    await this.remove({ op: 'notes.delete', name }, options);
  }

  async createOccurrence(
    project: string,
    occurrence: OccurrenceSpec,
    options?: CallOptions,
  ): Promise<Occurrence> {
    const parent = this.parent(project);
    const spec = occurrenceSpecOf(occurrence);
    checkOccurrenceSpec(this.backend, spec);
    try {
      const json = await this.send(
        { op: 'occurrences.create', parent, body: this.mapper.occurrenceToWire(spec, WITH_KIND) },
        options,
      );
      return this.created(json, spec);
    } catch (error) {
      if (isGrafeasError(error, 'GRAFEAS_ALREADY_EXISTS')) return this.existing(spec, options);
      throw error;
    }
  }

  async batchCreateOccurrences(
    project: string,
    occurrences: OccurrenceSpec[],
    options?: CallOptions,
  ): Promise<Occurrence[]> {
    const parent = this.parent(project);
    const specs = occurrences.map(occurrenceSpecOf);
    for (const spec of specs) checkOccurrenceSpec(this.backend, spec);
    const out: Occurrence[] = [];
    for (const chunk of batches(specs, (s) => this.mapper.occurrenceToWire(s, WITH_KIND))) {
      const body = { occurrences: chunk.map(([, wire]) => wire) };
      try {
        const json = await this.send({ op: 'occurrences.batchCreate', parent, body }, options);
        const answered = Array.isArray(json.occurrences) ? json.occurrences : [];
        out.push(...chunk.map(([spec], j) => this.created(answered[j], spec)));
      } catch (error) {
        if (!isGrafeasError(error, 'GRAFEAS_ALREADY_EXISTS')) throw error;
        // One of them exists already: create one by one, each already-exists being a success.
        for (const [spec] of chunk) out.push(await this.createOccurrence(project, spec, options));
      }
    }
    return out;
  }

  async getOccurrence(name: string, options?: CallOptions): Promise<Occurrence> {
    requireOccurrenceName(this.backend, name);
    const json = await this.send({ op: 'occurrences.get', name }, options);
    const parsed = this.mapper.occurrenceFromWire(json);
    if (!parsed.ok) {
      throw localGrafeasError('GRAFEAS_UNSUPPORTED_KIND', this.backend, `${name}: ${parsed.skipped.reason}`);
    }
    return this.storedOccurrence(parsed.value, name);
  }

  async listOccurrences(
    project: string,
    options?: CallOptions & OccurrenceFilter,
  ): Promise<ListResult<Occurrence>> {
    const parent = this.parent(project);
    const filter = { resourceUrl: options?.resourceUrl, kind: options?.kind };
    return this.collect(options, filter, (pageToken) => ({
      op: 'occurrences.list',
      parent,
      filter: occurrenceFilter(filter),
      ...this.page(pageToken),
    }));
  }

  async deleteOccurrence(name: string, options?: CallOptions): Promise<void> {
    requireOccurrenceName(this.backend, name);
    await this.remove({ op: 'occurrences.delete', name }, options);
  }

  async listImageOccurrences(
    project: string,
    resourceUrl: string,
    options?: CallOptions,
  ): Promise<ImageOccurrences> {
    const { items, skipped } = await this.listOccurrences(project, { ...options, resourceUrl });
    return partitionImageOccurrences(items, skipped);
  }

  async listNoteOccurrences(
    name: string,
    resourceUrl: string,
    options?: CallOptions,
  ): Promise<ListResult<Occurrence>> {
    requireNoteName(this.backend, name);
    const filter = { resourceUrl };
    try {
      return await this.collect(options, filter, (pageToken) => ({
        op: 'notes.occurrences.list',
        name,
        filter: occurrenceFilter(filter),
        ...this.page(pageToken),
      }));
    } catch (error) {
      // A note that does not exist has no occurrences (real Grafeas answers 404 for the listing).
      if (isGrafeasError(error, 'GRAFEAS_NOT_FOUND') && error.answeredByGrafeas) {
        this.options.debug(`${this.backend}: note ${name} does not exist: no occurrences`);
        return { items: [], skipped: [] };
      }
      throw error;
    }
  }

  async listImageOccurrencesOfImages(
    project: string,
    resourceUrls: readonly string[],
    options?: CallOptions,
  ): Promise<Map<string, PerImage<ImageOccurrences>>> {
    const parent = this.parent(project);
    const shares = await this.perImage(resourceUrls, (filter) =>
      this.collect(options, {}, (pageToken) => ({
        op: 'occurrences.list',
        parent,
        filter,
        ...this.page(pageToken),
      })),
    );
    return new Map(
      [...shares].map(([url, share]) => [
        url,
        share.ok
          ? { ok: true, value: partitionImageOccurrences(share.value.items, share.value.skipped) }
          : share,
      ]),
    );
  }

  listNoteOccurrencesOfImages(
    name: string,
    resourceUrls: readonly string[],
    options?: CallOptions,
  ): Promise<Map<string, PerImage<ListResult<Occurrence>>>> {
    requireNoteName(this.backend, name);
    return this.perImage(resourceUrls, async (filter) => {
      try {
        return await this.collect(options, {}, (pageToken) => ({
          op: 'notes.occurrences.list',
          name,
          filter,
          ...this.page(pageToken),
        }));
      } catch (error) {
        if (isGrafeasError(error, 'GRAFEAS_NOT_FOUND') && error.answeredByGrafeas)
          return { items: [], skipped: [] };
        throw error;
      }
    });
  }

  /** One listing per chunk of images (chunks read concurrently), shared out per image. */
  private async perImage(
    resourceUrls: readonly string[],
    list: (filter: string) => Promise<ListResult<Occurrence>>,
  ): Promise<Map<string, PerImage<ListResult<Occurrence>>>> {
    const out = new Map<string, PerImage<ListResult<Occurrence>>>();
    await Promise.all(
      filterChunks(resourceUrls).map(async (chunk) => {
        try {
          const listed = await list(resourcesFilter(chunk));
          for (const url of chunk) out.set(url, { ok: true, value: shareOf(listed, url) });
        } catch (error) {
          for (const url of chunk) out.set(url, { ok: false, error });
        }
      }),
    );
    return out;
  }

  scanOccurrences(scope: OccurrenceScope, options?: ScanOptions): Promise<ListResult<Occurrence>> {
    return collectScan(this, scope, options);
  }

  async visitOccurrences(
    scope: OccurrenceScope,
    visit: (occurrence: Occurrence) => void,
    options?: ScanOptions,
  ): Promise<ScanSummary> {
    let items = 0;
    const counted = (o: Occurrence) => {
      items += 1;
      visit(o);
    };
    const perPage = { ...options, deadline: 'page' as const };
    if ('noteName' in scope) {
      const name = scope.noteName;
      requireNoteName(this.backend, name);
      const visitNote = (pageSize: number) =>
        this.visit(
          perPage,
          {},
          (pageToken) => ({ op: 'notes.occurrences.list', name, ...this.page(pageToken, pageSize) }),
          (o) => {
            if (o.noteName === name) counted(o);
          },
        );
      const { notePageSize, pageSize } = this.options;
      try {
        return { items, skipped: (await visitNote(notePageSize)).skipped };
      } catch (error) {
        const refusedSize =
          items === 0 &&
          notePageSize > pageSize &&
          isGrafeasError(error, 'GRAFEAS_INVALID_ARGUMENT') &&
          error.answeredByGrafeas;
        if (!refusedSize) throw error;
        this.options.debug(
          `${this.backend}: pages of ${notePageSize} refused for ${name}: read by ${pageSize}`,
        );
        return { items, skipped: (await visitNote(pageSize)).skipped };
      }
    }
    const parent = this.parent(scope.project);
    // OSS Grafeas lists projects whose id merely starts with P under P too: keep P's own.
    const own = `${parent}/occurrences/`;
    const { skipped } = await this.visit(
      perPage,
      {},
      (pageToken) => ({ op: 'occurrences.list', parent, ...this.page(pageToken) }),
      (o) => {
        if (o.name.startsWith(own)) counted(o);
      },
    );
    return { items, skipped };
  }

  async filterSupport(project: string, options?: CallOptions): Promise<FilterSupport> {
    const parent = this.parent(project);
    const probe = async (filter?: string) => {
      const json = await this.send(
        { op: 'occurrences.list', parent, pageSize: 1, ...(filter ? { filter } : {}) },
        options,
      );
      return Array.isArray(json.occurrences) && json.occurrences.length > 0;
    };
    const assumed = { filters: this.options.assumedFilters, how: 'assumed' as const };
    try {
      if (await probe(occurrenceFilter({ resourceUrl: PROBE_RESOURCE })))
        return { filters: 'ignored', how: 'probe' };
      return (await probe()) ? { filters: 'applied', how: 'probe' } : assumed;
    } catch (error) {
      // A server that refuses the filter, or is down at start, cannot tell: the scheme decides.
      return { ...assumed, probeFailed: isGrafeasError(error) ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private async collect(
    options: CallOptions | undefined,
    filter: OccurrenceFilter,
    call: (pageToken: string | undefined) => WireCall,
  ): Promise<ListResult<Occurrence>> {
    const items: Occurrence[] = [];
    const { skipped } = await this.visit(options, filter, call, (o) => {
      items.push(o);
    });
    return { items, skipped };
  }

  /** Parses each occurrence of each page and hands those matching `filter` to `each`. */
  private async visit(
    options: PagesOptions | undefined,
    filter: OccurrenceFilter,
    call: (pageToken: string | undefined) => WireCall,
    each: (o: Occurrence) => void,
  ): Promise<{ skipped: Skipped[] }> {
    const skipped: Skipped[] = [];
    await this.pages(options, 'occurrences', call, (raw) => {
      const parsed = this.mapper.occurrenceFromWire(raw);
      if (!parsed.ok) {
        // One of another image (a backend that ignores the filter) is not this listing's to report.
        const uri = parsed.skipped.resourceUri;
        if (filter.resourceUrl === undefined || uri === undefined || isSameResource(uri, filter.resourceUrl))
          skipped.push(parsed.skipped);
        return;
      }
      if (!parsed.value.name) {
        const { kind, resourceUri } = parsed.value.spec;
        if (matches({ kind, resourceUri }, filter))
          skipped.push({ reason: 'occurrence has no name', resourceUri, kinds: [kind] });
        return;
      }
      const o = this.storedOccurrence(parsed.value, parsed.value.name);
      if (matches(o, filter)) each(o);
    });
    return { skipped };
  }

  /**
   * Follow page tokens (see followPages) under one deadline for the whole listing, or, for a scan of a
   * whole scope, one per page (the caller's signal still bounds the whole).
   */
  private async pages(
    options: PagesOptions | undefined,
    key: 'notes' | 'occurrences',
    call: (pageToken: string | undefined) => WireCall,
    each: (raw: unknown) => void,
  ): Promise<void> {
    const whole = options?.deadline === 'page' ? undefined : this.deadline(options);
    const paging = {
      backend: this.backend,
      limits: this.options.paging,
      emptyPageEnds: !this.transport.emptyPagesMayContinue,
      ...(options?.onPage ? { onPage: options.onPage } : {}),
    };
    await followPages(
      paging,
      async (pageToken) => {
        const json = await this.sendWith(call(pageToken), whole ?? this.deadline(options));
        const list = json[key];
        if (list !== undefined && !Array.isArray(list)) {
          throw localGrafeasError(
            'GRAFEAS_BAD_RESPONSE',
            this.backend,
            `${this.backend}: "${key}" is not a list`,
          );
        }
        const token = json.nextPageToken;
        return {
          items: list ?? [],
          nextPageToken: typeof token === 'string' && token !== '' ? token : undefined,
        };
      },
      each,
    );
  }

  private page(pageToken: string | undefined, pageSize = this.options.pageSize) {
    return { pageSize, ...(pageToken ? { pageToken } : {}) };
  }

  /**
   * A delete. Open-source Grafeas v0.1.0 deletes, then answers 500 ("Marshal called with nil"); the
   * retry then finds nothing. A 404 after a 5xx is therefore the delete having worked.
   */
  private async remove(call: WireCall, options: CallOptions | undefined): Promise<void> {
    const signal = this.deadline(options);
    let failedBefore: GrafeasError | undefined;
    try {
      await withRetry(this.backend, signal, this.options.retry, async () => {
        try {
          return await this.transport.call(call, signal);
        } catch (error) {
          if (isGrafeasError(error) && error.httpStatus >= 500) failedBefore = error;
          throw error;
        }
      });
    } catch (error) {
      if (!failedBefore || !isGrafeasError(error, 'GRAFEAS_NOT_FOUND')) throw error;
      this.options.debug(
        `${this.backend}: ${call.op} answered ${failedBefore.httpStatus} (${failedBefore.message}), then 404 on retry: deleted`,
      );
    }
  }

  private send(call: WireCall, options: CallOptions | undefined): Promise<Record<string, unknown>> {
    return this.sendWith(call, this.deadline(options));
  }

  private sendWith(call: WireCall, signal: AbortSignal): Promise<Record<string, unknown>> {
    return withRetry(this.backend, signal, this.options.retry, () => this.transport.call(call, signal));
  }

  private deadline(options: CallOptions | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  }

  private note(json: unknown, name: string): Note {
    const parsed = this.mapper.noteFromWire(json);
    if (!parsed.ok) {
      throw localGrafeasError('GRAFEAS_UNSUPPORTED_KIND', this.backend, `${name}: ${parsed.skipped.reason}`);
    }
    return this.storedNote({ ...parsed.value, name: parsed.value.name ?? name });
  }

  private storedNote(wire: WireNote): Note {
    const { spec, ...stored } = wire;
    return { ...spec, ...stored, name: stored.name ?? '' };
  }

  private storedOccurrence(wire: WireOccurrence, name: string): Occurrence {
    const { spec, ...stored } = wire;
    return storedOccurrence(spec, { ...stored, name: stored.name ?? name });
  }

  /** What the server answered to a create; the spec itself if the answer cannot be read. */
  private created(json: unknown, spec: OccurrenceSpec): Occurrence {
    const parsed = this.mapper.occurrenceFromWire(json);
    if (parsed.ok && parsed.value.name) return this.storedOccurrence(parsed.value, parsed.value.name);
    const name = json && typeof json === 'object' && 'name' in json ? String(json.name) : '';
    if (!name) {
      throw localGrafeasError(
        'GRAFEAS_BAD_RESPONSE',
        this.backend,
        `${this.backend} answered a create without a name`,
      );
    }
    return storedOccurrence(spec, { name });
  }

  /** Already-exists: find the identical attestation on its note; otherwise report the spec. */
  private async existing(spec: OccurrenceSpec, options?: CallOptions): Promise<Occurrence> {
    // Compare as the server stores it (v1 turns a PGP attestation into serializedPayload + signatures).
    const onWire = this.mapper.occurrenceFromWire(this.mapper.occurrenceToWire(spec));
    const wanted = attestationFingerprint(onWire.ok ? onWire.value.spec : spec);
    const found = await this.listNoteOccurrences(spec.noteName, spec.resourceUri, options);
    const same = found.items.find(
      (o) => wanted !== null && attestationFingerprint(occurrenceSpecOf(o)) === wanted,
    );
    return same ?? storedOccurrence(spec, { name: '' });
  }

  private parent(project: string): string {
    return `projects/${requireProjectId(this.backend, project)}`;
  }
}
