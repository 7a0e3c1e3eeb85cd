import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { collectScan } from '../collect-scan.js';
import { GrafeasError, localGrafeasError } from '../errors.js';
import {
  type ImageOccurrences,
  type ListResult,
  type Note,
  type NoteKind,
  type NoteSpec,
  noteSpecOf,
  type Occurrence,
  type OccurrenceKind,
  type OccurrenceSpec,
  occurrenceSpecOf,
  storedOccurrence,
} from '../model.js';
import { noteName, occurrenceName } from '../names.js';
import { partitionImageOccurrences } from '../partition.js';
import { resourceUrlSpellings } from '../resource-url.js';
import type {
  CallOptions,
  FilterSupport,
  MetadataStore,
  OccurrenceFilter,
  OccurrenceScope,
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
import { attestationFingerprint, specFromJson, specToJson } from './record.js';
import { prepareDatabase } from './schema.js';
import { MODEL_ROWS, WireRecords } from './wire-records.js';

interface NoteRow {
  project: string;
  note_id: string;
  spec: string;
  create_time: string;
  update_time: string;
}

interface OccurrenceRow {
  seq: number;
  project: string;
  occurrence_id: string;
  spec: string;
  create_time: string;
  update_time: string;
}

/** Which occurrences a page holds. Keyset (`afterSeq`, insertion order) or offset (by id, as OSS). */
export interface OccurrencePageQuery {
  project?: string;
  noteName?: string;
  /** Any of these resource URIs, exactly (see resourceUrlSpellings). */
  resourceUris?: readonly string[];
  /** gcloud's has_suffix(resourceUrl, "sha256:HEX"). */
  resourceUriSuffix?: string;
  kind?: OccurrenceKind;
  pageSize: number;
  afterSeq?: number;
  offset?: number;
}

export interface NotePageQuery {
  project: string;
  kind?: NoteKind;
  pageSize: number;
  afterId?: string;
  offset?: number;
}

export interface Page<T, C> {
  items: T[];
  /** Cursor of the next page; undefined on the last page. */
  next?: C;
}

export interface Inserted<T> {
  value: T;
  created: boolean;
}

/** One more row than the page tells whether another page follows; Infinity means no limit. */
function limitOf(pageSize: number): number {
  return Number.isFinite(pageSize) ? pageSize + 1 : -1;
}

function now(): string {
  return new Date().toISOString();
}

function toNote(row: NoteRow): Note {
  const spec = specFromJson<NoteSpec>(row.spec);
  return {
    ...spec,
    name: noteName(row.project, row.note_id),
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}

function toOccurrence(row: OccurrenceRow): Occurrence {
  return storedOccurrence(specFromJson<OccurrenceSpec>(row.spec), {
    name: occurrenceName(row.project, row.occurrence_id),
    createTime: row.create_time,
    updateTime: row.update_time,
  });
}

/**
 * A file, not a server: "check that the backend is running" would mislead. In a container (read-only
 * root, HOME unset, so the default path is /.local/share/signet/metadata.db) the folder is the problem.
 */
const SQLITE_OPEN_FIX =
  'its folder must exist and be writable by this user (SQLite writes -wal and -shm files beside it): choose another with --store sqlite:PATH (or SIGNET_STORE), on a writable volume in a container, or use a Grafeas or Container Analysis store';

/**
 * The embedded default store. Synchronous primitives (insertNote, pageOccurrences…) serve the
 * emulator; the async MetadataStore methods serve everyone else.
 */
export class SqliteMetadataStore implements MetadataStore {
  readonly backend: string;
  /** The emulator's view: resources as clients wrote them. */
  readonly records: WireRecords;
  private readonly db: Database.Database;

  constructor(path: string) {
    this.backend = `sqlite:${path}`;
    try {
      this.db = new Database(path);
      prepareDatabase(this.db);
      this.records = new WireRecords(this.db);
    } catch (error) {
      throw localGrafeasError(
        'GRAFEAS_UNAVAILABLE',
        this.backend,
        `cannot open the SQLite store ${path}: ${(error as Error).message}`,
        error,
        0,
        SQLITE_OPEN_FIX,
      );
    }
  }

  // ---- synchronous primitives -------------------------------------------------------------

  insertNote(project: string, noteId: string, spec: NoteSpec): Inserted<Note> {
    const existing = this.findNote(project, noteId);
    if (existing) return { value: existing, created: false };
    const time = now();
    this.db
      .prepare(
        'INSERT INTO notes (project, note_id, kind, spec, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(project, noteId, spec.kind, specToJson(noteSpecOf(spec)), time, time);
    return { value: this.findNote(project, noteId)!, created: true };
  }

  findNote(project: string, noteId: string): Note | undefined {
    const row = this.db
      .prepare(`SELECT * FROM notes WHERE project = ? AND note_id = ? AND ${MODEL_ROWS}`)
      .get(project, noteId) as NoteRow | undefined;
    return row ? toNote(row) : undefined;
  }

  removeNote(project: string, noteId: string): boolean {
    return (
      this.db.prepare('DELETE FROM notes WHERE project = ? AND note_id = ?').run(project, noteId).changes > 0
    );
  }

  /** Insert in one transaction. With `dedupe`, an identical attestation returns the stored one. */
  insertOccurrences(project: string, specs: OccurrenceSpec[], dedupe: boolean): Inserted<Occurrence>[] {
    const insert = this.db.prepare(
      `INSERT INTO occurrences (project, occurrence_id, resource_uri, note_name, kind, spec, fingerprint, create_time, update_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const byFingerprint = this.db.prepare(
      'SELECT * FROM occurrences WHERE project = ? AND fingerprint = ? LIMIT 1',
    );
    const run = this.db.transaction((list: OccurrenceSpec[]) =>
      list.map((raw): Inserted<Occurrence> => {
        const spec = occurrenceSpecOf(raw);
        const fingerprint = attestationFingerprint(spec);
        if (dedupe && fingerprint) {
          const row = byFingerprint.get(project, fingerprint) as OccurrenceRow | undefined;
          if (row) return { value: toOccurrence(row), created: false };
        }
        const id = randomUUID();
        const time = now();
        insert.run(
          project,
          id,
          spec.resourceUri,
          spec.noteName,
          spec.kind,
          specToJson(spec),
          fingerprint,
          time,
          time,
        );
        const value = storedOccurrence(spec, {
          name: occurrenceName(project, id),
          createTime: time,
          updateTime: time,
        });
        return { value, created: true };
      }),
    );
    return run(specs);
  }

  findOccurrence(project: string, occurrenceId: string): Occurrence | undefined {
    const row = this.db
      .prepare(`SELECT * FROM occurrences WHERE project = ? AND occurrence_id = ? AND ${MODEL_ROWS}`)
      .get(project, occurrenceId) as OccurrenceRow | undefined;
    return row ? toOccurrence(row) : undefined;
  }

  removeOccurrence(project: string, occurrenceId: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM occurrences WHERE project = ? AND occurrence_id = ?')
        .run(project, occurrenceId).changes > 0
    );
  }

  pageOccurrences(query: OccurrencePageQuery): Page<Occurrence, number> {
    const where: string[] = [MODEL_ROWS];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('project = ?', query.project);
    add('note_name = ?', query.noteName);
    if (query.resourceUris !== undefined) {
      where.push(`resource_uri IN (${query.resourceUris.map(() => '?').join(', ') || 'NULL'})`);
      args.push(...query.resourceUris);
    }
    add('kind = ?', query.kind);
    if (query.resourceUriSuffix !== undefined) {
      where.push('substr(resource_uri, -length(?)) = ?');
      args.push(query.resourceUriSuffix, query.resourceUriSuffix);
    }
    const byOffset = query.offset !== undefined;
    if (!byOffset) add('seq > ?', query.afterSeq ?? 0);
    const sql = `SELECT * FROM occurrences ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${byOffset ? 'occurrence_id' : 'seq'} LIMIT ? OFFSET ?`;
    const rows = this.db
      .prepare(sql)
      .all(...args, limitOf(query.pageSize), query.offset ?? 0) as OccurrenceRow[];
    const more = rows.length > query.pageSize;
    const page = more ? rows.slice(0, query.pageSize) : rows;
    const last = page[page.length - 1];
    const next = !more || !last ? undefined : byOffset ? (query.offset ?? 0) + page.length : last.seq;
    return next === undefined ? { items: page.map(toOccurrence) } : { items: page.map(toOccurrence), next };
  }

  pageNotes(query: NotePageQuery): Page<Note, string | number> {
    const byOffset = query.offset !== undefined;
    const where = ['project = ?', MODEL_ROWS];
    const args: (string | number)[] = [query.project];
    if (query.kind) {
      where.push('kind = ?');
      args.push(query.kind);
    }
    if (!byOffset && query.afterId !== undefined) {
      where.push('note_id > ?');
      args.push(query.afterId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM notes WHERE ${where.join(' AND ')} ORDER BY note_id LIMIT ? OFFSET ?`)
      .all(...args, limitOf(query.pageSize), query.offset ?? 0) as NoteRow[];
    const more = rows.length > query.pageSize;
    const page = more ? rows.slice(0, query.pageSize) : rows;
    const last = page[page.length - 1];
    const items = page.map(toNote);
    if (!more || !last) return { items };
    return { items, next: byOffset ? (query.offset ?? 0) + page.length : last.note_id };
  }

  // ---- MetadataStore ----------------------------------------------------------------------

  async createNote(project: string, noteId: string, note: NoteSpec, options?: CallOptions): Promise<Note> {
    return this.guard(options, () => {
      const id = this.project(project);
      requireNoteId(this.backend, id, noteId);
      return this.insertNote(id, noteId, note).value;
    });
  }

  async getNote(name: string, options?: CallOptions): Promise<Note> {
    return this.guard(options, () => {
      const parsed = requireNoteName(this.backend, name);
      const note = this.findNote(parsed.project, parsed.id);
      if (!note) throw this.notFound(`note ${name}`);
      return note;
    });
  }

  async listNotes(project: string, options?: CallOptions & { kind?: NoteKind }): Promise<ListResult<Note>> {
    return this.guard(options, () => {
      const page = this.pageNotes({
        project: this.project(project),
        pageSize: Number.POSITIVE_INFINITY,
        ...(options?.kind ? { kind: options.kind } : {}),
      });
      return { items: page.items, skipped: [] };
    });
  }

  async deleteNote(name: string, options?: CallOptions): Promise<void> {
    return this.guard(options, () => {
      const parsed = requireNoteName(this.backend, name);
      if (!this.removeNote(parsed.project, parsed.id)) throw this.notFound(`note ${name}`);
    });
  }

  async createOccurrence(
    project: string,
    occurrence: OccurrenceSpec,
    options?: CallOptions,
  ): Promise<Occurrence> {
    const [created] = await this.batchCreateOccurrences(project, [occurrence], options);
    return created!;
  }

  async batchCreateOccurrences(
    project: string,
    occurrences: OccurrenceSpec[],
    options?: CallOptions,
  ): Promise<Occurrence[]> {
    return this.guard(options, () => {
      const id = this.project(project);
      for (const o of occurrences) checkOccurrenceSpec(this.backend, o);
      return this.insertOccurrences(id, occurrences, true).map((i) => i.value);
    });
  }

  async getOccurrence(name: string, options?: CallOptions): Promise<Occurrence> {
    return this.guard(options, () => {
      const parsed = requireOccurrenceName(this.backend, name);
      const occurrence = this.findOccurrence(parsed.project, parsed.id);
      if (!occurrence) throw this.notFound(`occurrence ${name}`);
      return occurrence;
    });
  }

  async listOccurrences(
    project: string,
    options?: CallOptions & OccurrenceFilter,
  ): Promise<ListResult<Occurrence>> {
    return this.guard(options, () => ({
      items: this.all({
        project: this.project(project),
        ...(options?.resourceUrl !== undefined
          ? { resourceUris: resourceUrlSpellings(options.resourceUrl) }
          : {}),
        ...(options?.kind ? { kind: options.kind } : {}),
      }),
      skipped: [],
    }));
  }

  async deleteOccurrence(name: string, options?: CallOptions): Promise<void> {
    return this.guard(options, () => {
      const parsed = requireOccurrenceName(this.backend, name);
      if (!this.removeOccurrence(parsed.project, parsed.id)) throw this.notFound(`occurrence ${name}`);
    });
  }

  async listImageOccurrences(
    project: string,
    resourceUrl: string,
    options?: CallOptions,
  ): Promise<ImageOccurrences> {
    return this.guard(options, () =>
      partitionImageOccurrences(
        this.all({ project: this.project(project), resourceUris: resourceUrlSpellings(resourceUrl) }),
        [],
      ),
    );
  }

  async listNoteOccurrences(
    noteNameValue: string,
    resourceUrl: string,
    options?: CallOptions,
  ): Promise<ListResult<Occurrence>> {
    return this.guard(options, () => {
      requireNoteName(this.backend, noteNameValue);
      const resourceUris = resourceUrlSpellings(resourceUrl);
      return { items: this.all({ noteName: noteNameValue, resourceUris }), skipped: [] };
    });
  }

  scanOccurrences(scope: OccurrenceScope, options?: ScanOptions): Promise<ListResult<Occurrence>> {
    return collectScan(this, scope, options);
  }

  async visitOccurrences(
    scope: OccurrenceScope,
    visit: (occurrence: Occurrence) => void,
    options?: ScanOptions,
  ): Promise<ScanSummary> {
    return this.guard(options, () => {
      if ('noteName' in scope) requireNoteName(this.backend, scope.noteName);
      const items = this.all(
        'noteName' in scope ? { noteName: scope.noteName } : { project: this.project(scope.project) },
      );
      for (const occurrence of items) visit(occurrence);
      options?.onPage?.({ pages: 1, items: items.length });
      return { items: items.length, skipped: [] };
    });
  }

  async filterSupport(): Promise<FilterSupport> {
    return { filters: 'applied', how: 'local' };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private all(query: Omit<OccurrencePageQuery, 'pageSize'>): Occurrence[] {
    return this.pageOccurrences({ ...query, pageSize: Number.POSITIVE_INFINITY }).items;
  }

  private project(project: string): string {
    return requireProjectId(this.backend, project);
  }

  private notFound(what: string): GrafeasError {
    return localGrafeasError(
      'GRAFEAS_NOT_FOUND',
      this.backend,
      `${this.backend}: ${what} does not exist`,
      undefined,
      404,
    );
  }

  /** Honour an already-expired deadline and turn SQLite failures into typed errors. */
  private guard<T>(options: CallOptions | undefined, work: () => T): Promise<T> {
    if (options?.signal?.aborted) {
      return Promise.reject(
        localGrafeasError(
          'GRAFEAS_DEADLINE_EXCEEDED',
          this.backend,
          `${this.backend}: the call's deadline passed`,
        ),
      );
    }
    try {
      return Promise.resolve(work());
    } catch (error) {
      if (error instanceof GrafeasError) return Promise.reject(error);
      return Promise.reject(
        localGrafeasError(
          'GRAFEAS_UNAVAILABLE',
          this.backend,
          `${this.backend} failed: ${(error as Error).message}`,
          error,
        ),
      );
    }
  }
}
