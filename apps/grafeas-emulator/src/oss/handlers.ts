import { mapperFor, type NoteSpec, type OccurrenceSpec } from '@signet/grafeas-client';
import type {
  NoteRecord,
  OccurrenceKey,
  OccurrenceRecord,
  OccurrenceScan,
  WireRecords,
} from '@signet/grafeas-client/records';
import { ApiError, alreadyExists, invalid, notFound } from '../api-error.js';
import { assertMarshalable, decodeMessage, emitMessage, encodedSize, type Message } from './proto-json.js';
import {
  BATCH_CREATE_OCCURRENCES_REQUEST,
  CREATE_NOTE_REQUEST,
  CREATE_OCCURRENCE_REQUEST,
  type MessageDef,
  NOTE,
  OCCURRENCE,
} from './schema.js';
import { noteProblems, occurrenceProblems } from './validate.js';

export type Json = Record<string, unknown>;

export interface OssContext {
  records: WireRecords;
  /** Projects live in memory, as in the memstore; they are never created implicitly. */
  projects: Set<string>;
}

export interface OssRequest {
  query: Record<string, string | undefined>;
  /** The parsed body, `{}` when none was sent. */
  body: unknown;
}

const GRPC_MAX_MESSAGE = 4 * 1024 * 1024;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_PROJECTS_PAGE_SIZE = 100;
const MAX_BATCH = 1000;

/** What v0.1.0 answers after deleting anything: the delete happened, the reply failed. */
const deletedButFailed = () =>
  new ApiError(13, 'grpc: error while marshaling: proto: Marshal called with nil');

function now(): string {
  const ms = new Date().toISOString().slice(0, 23);
  const nanos = process.hrtime.bigint() % 1_000_000n;
  return `${ms}${nanos.toString().padStart(6, '0')}Z`;
}

function checkSize(def: MessageDef, request: Message): void {
  const size = encodedSize(def, request);
  if (size > GRPC_MAX_MESSAGE) {
    throw new ApiError(8, `grpc: received message larger than max (${size} vs. ${GRPC_MAX_MESSAGE})`);
  }
}

function noteNameError(name: string): ApiError {
  return invalid(`note name must be in the form "projects/[PROJECT_ID]/notes/[NOTE_ID]", got "${name}"`);
}

function parseNote(name: string): { project: string; id: string } {
  const match = /^projects\/([^/]+)\/notes\/([^/]+)$/.exec(name);
  if (!match) throw noteNameError(name);
  return { project: match[1]!, id: match[2]! };
}

function invalidBecause(what: string, problems: string[]): ApiError {
  return invalid(`${what} is invalid: [${problems.join(' ')}]`);
}

function occurrenceName(r: Pick<OccurrenceRecord, 'project' | 'id'>): string {
  return r.project === '' ? '' : `projects/${r.project}/occurrences/${r.id}`;
}

/**
 * What a client wrote; for a row Signet wrote through its model (a store file shared with `signet`),
 * that model in v1beta1, as Signet would have sent it (v0.1.0 keeps no kind).
 */
function fieldsOf(
  r: OccurrenceRecord | NoteRecord,
  toWire: (spec: NonNullable<typeof r.spec>) => Json,
): Json {
  if (r.wire && (r.wire.version === 'v1beta1' || !r.spec)) return r.wire.json;
  return r.spec ? toWire(r.spec) : {};
}

function emitOccurrence(r: OccurrenceRecord): Json {
  return emitMessage(OCCURRENCE, {
    ...fieldsOf(r, (spec) => mapperFor('v1beta1').occurrenceToWire(spec as OccurrenceSpec) as Json),
    name: occurrenceName(r),
    ...(r.createTime ? { createTime: r.createTime } : {}),
    ...(r.updateTime ? { updateTime: r.updateTime } : {}),
  });
}

function emitNote(r: NoteRecord): Json {
  return emitMessage(NOTE, {
    ...fieldsOf(r, (spec) => mapperFor('v1beta1').noteToWire(spec as NoteSpec) as Json),
    name: `projects/${r.project}/notes/${r.id}`,
    ...(r.createTime ? { createTime: r.createTime } : {}),
    ...(r.updateTime ? { updateTime: r.updateTime } : {}),
  });
}

/** The stored form: the client's fields; the model spec when Signet can read it (the shared file case). */
function occurrenceColumns(o: Message) {
  const parsed = mapperFor('v1beta1').occurrenceFromWire(emitMessage(OCCURRENCE, o));
  const spec = parsed.ok ? parsed.value.spec : undefined;
  return {
    kind: spec?.kind ?? String(o.kind ?? 'NOTE_KIND_UNSPECIFIED'),
    resourceUri: String((o.resource as Message | undefined)?.uri ?? ''),
    noteName: String(o.noteName ?? ''),
    wire: { version: 'v1beta1' as const, json: o },
    spec,
  };
}

function noteColumns(n: Message) {
  const parsed = mapperFor('v1beta1').noteFromWire(emitMessage(NOTE, n));
  const spec = parsed.ok ? parsed.value.spec : undefined;
  return {
    kind: spec?.kind ?? String(n.kind ?? 'NOTE_KIND_UNSPECIFIED'),
    wire: { version: 'v1beta1' as const, json: n },
    spec,
  };
}

function withoutOutputOnly(m: Message): Message {
  const { name: _n, createTime: _c, updateTime: _u, ...rest } = m;
  return rest;
}

// ---- paging -----------------------------------------------------------------------------------

/** `checked`: ListNotes and ListOccurrences refuse a negative size or one above 1000; the others do not. */
function parsePageSize(raw: string | undefined, fallback: number, checked = true): number {
  if (raw === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(raw))
    throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const size = Number(raw);
  if (size > 2 ** 31 - 1 || size < -(2 ** 31)) {
    throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
  }
  // Deviation for the unchecked lists: v0.1.0 slices with a negative size, panics and dies.
  if (size < 0) throw invalid(`page size ${size} cannot be negative`);
  if (checked && size > MAX_PAGE_SIZE) {
    throw invalid(`page size ${size} cannot be large than max page size ${MAX_PAGE_SIZE}`);
  }
  return size === 0 ? fallback : size;
}

/** The memstore's strconv.Atoi: an optional sign and digits, in int64 range; anything else is 0. */
function pageOffset(token: string | undefined): number {
  if (token === undefined || !/^[+-]?\d+$/.test(token)) return 0;
  const n = BigInt(token);
  return n > 0n && n < 2n ** 63n ? Number(n) : 0;
}

/**
 * The memstore's paging: a decimal offset (anything strconv.Atoi refuses is 0), sorted by full
 * name, and `nextPageToken: ""` on the last page. Deviation: a token past the end or negative is an
 * empty last page or the first page, where v0.1.0 panics.
 */
function paged<T>(items: T[], req: OssRequest, pageSize: number): { items: T[]; nextPageToken: string } {
  const start = Math.min(pageOffset(req.query.pageToken ?? req.query.page_token), items.length);
  const end = Math.min(start + pageSize, items.length);
  return { items: items.slice(start, end), nextPageToken: end >= items.length ? '' : String(end) };
}

function byName<T>(items: T[], nameOf: (t: T) => string): T[] {
  return items
    .map((item) => ({ item, name: nameOf(item) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((x) => x.item);
}

// ---- notes ------------------------------------------------------------------------------------

function decodeNote(body: unknown): Message {
  const note = withoutOutputOnly(decodeMessage(NOTE, body));
  const problems = noteProblems(note);
  if (problems.length > 0) throw invalidBecause('note', problems);
  return note;
}

function storeNote(ctx: OssContext, project: string, id: string, note: Message): NoteRecord | undefined {
  const time = now();
  return ctx.records.insertNote(project, id, { ...noteColumns(note), createTime: time, updateTime: time });
}

export function createNote(ctx: OssContext, project: string, req: OssRequest): Json {
  const noteId = req.query.noteId ?? req.query.note_id ?? '';
  const decoded = decodeMessage(NOTE, req.body);
  assertMarshalable(decoded);
  checkSize(CREATE_NOTE_REQUEST, { parent: `projects/${project}`, noteId, note: decoded });
  if (noteId === '') throw invalid('a noteId must be specified');
  const note = decodeNote(req.body);
  const created = storeNote(ctx, project, noteId, note);
  // v0.1.0 quotes an empty name here.
  if (!created) throw alreadyExists('Note with name "" already exists');
  return emitNote(created);
}

export function batchCreateNotes(ctx: OssContext, project: string, req: OssRequest): Json {
  const raw = (req.body as Json).notes;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw invalid(
      `json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type map[string]json.RawMessage`,
    );
  }
  const entries = Object.entries((raw ?? {}) as Json).sort(([a], [b]) => (a < b ? -1 : 1));
  // The gateway decodes (and marshals) the whole map before the server validates any note.
  for (const [, body] of entries) assertMarshalable(decodeMessage(NOTE, body));
  if (entries.length === 0) throw invalid('at least one note must be specified');
  if (entries.length > MAX_BATCH)
    throw invalid(
      `${entries.length} is too many notes to batch create, a maximum of ${MAX_BATCH} notes is allowed per batch create`,
    );
  const problems: string[] = [];
  const notes = entries.map(([id, body]) => {
    try {
      return [id, decodeNote(body)] as const;
    } catch (error) {
      problems.push(
        `notes[${JSON.stringify(id)}]: rpc error: code = InvalidArgument desc = ${(error as Error).message}`,
      );
      return [id, {}] as const;
    }
  });
  // v0.1.0 walks a Go map, so several invalid notes come in any order; here by id.
  if (problems.length > 0)
    throw invalid(`one or more notes are invalid, no notes were created: [${problems.join(' ')}]`);
  const created = notes.flatMap(([id, note]) => {
    const record = storeNote(ctx, project, id, note);
    return record ? [emitNote(record)] : [];
  });
  return { notes: created };
}

function findNote(ctx: OssContext, name: string): NoteRecord {
  const { project, id } = parseNote(name);
  const note = ctx.records.findNote(project, id);
  if (!note) throw notFound(`Note with name "${name}" does not Exist`);
  return note;
}

export function getNote(ctx: OssContext, name: string): Json {
  return emitNote(findNote(ctx, name));
}

/** UpdateNote ignores updateMask and replaces the whole note; createTime is lost. */
export function updateNote(ctx: OssContext, name: string, req: OssRequest): Json {
  const stored = findNote(ctx, name);
  const note = withoutOutputOnly(decodeMessage(NOTE, req.body));
  assertMarshalable(note);
  const updated = ctx.records.updateNote(stored.project, stored.id, {
    ...noteColumns(note),
    createTime: null,
    updateTime: now(),
  });
  return emitNote(updated!);
}

export function deleteNote(ctx: OssContext, name: string): Json {
  const note = findNote(ctx, name);
  ctx.records.removeNote(note.project, note.id);
  throw deletedButFailed();
}

export function listNotes(ctx: OssContext, project: string, req: OssRequest): Json {
  const pageSize = parsePageSize(req.query.pageSize ?? req.query.page_size, DEFAULT_PAGE_SIZE);
  const prefix = `projects/${project}`;
  const nameOf = (n: NoteRecord) => `projects/${n.project}/notes/${n.id}`;
  const notes = ctx.records.listNotes({ projectPrefix: project }).filter((n) => nameOf(n).startsWith(prefix));
  const page = paged(byName(notes, nameOf), req, pageSize);
  return { notes: page.items.map(emitNote), nextPageToken: page.nextPageToken };
}

/** ListNoteOccurrences: the note must exist; pageSize is neither defaulted (absent: 0 items) nor capped. */
export function listNoteOccurrences(ctx: OssContext, name: string, req: OssRequest): Json {
  const pageSize = parsePageSize(req.query.pageSize ?? req.query.page_size, 0, false);
  findNote(ctx, name);
  const keys = sortedKeys(ctx, { noteName: name }, () => true);
  const page = paged(keys, req, pageSize);
  return { occurrences: pageOfOccurrences(ctx, page.items), nextPageToken: page.nextPageToken };
}

// ---- occurrences ------------------------------------------------------------------------------

function decodeOccurrence(body: unknown): Message {
  const occurrence = withoutOutputOnly(decodeMessage(OCCURRENCE, body));
  parseNote(String(occurrence.noteName ?? ''));
  const problems = occurrenceProblems(occurrence);
  if (problems.length > 0) throw invalidBecause('occurrence', problems);
  // Output only in the API, yet v0.1.0 keeps what the client sent (and never fills it in).
  return occurrence;
}

function insertOccurrences(ctx: OssContext, project: string, occurrences: Message[]): Json[] {
  const time = now();
  const records = ctx.records.insertOccurrences(
    project,
    occurrences.map((o) => ({ ...occurrenceColumns(o), createTime: time, updateTime: time })),
  );
  return records.map(emitOccurrence);
}

export function createOccurrence(ctx: OssContext, project: string, req: OssRequest): Json {
  const decoded = decodeMessage(OCCURRENCE, req.body);
  assertMarshalable(decoded);
  checkSize(CREATE_OCCURRENCE_REQUEST, { parent: `projects/${project}`, occurrence: decoded });
  return insertOccurrences(ctx, project, [decodeOccurrence(req.body)])[0]!;
}

export function batchCreateOccurrences(ctx: OssContext, project: string, req: OssRequest): Json {
  const request = decodeMessage(BATCH_CREATE_OCCURRENCES_REQUEST, req.body);
  assertMarshalable(request);
  checkSize(BATCH_CREATE_OCCURRENCES_REQUEST, { ...request, parent: `projects/${project}` });
  const list = ((req.body as Json).occurrences ?? []) as unknown[];
  if (list.length === 0) throw invalid('at least one occurrence must be specified');
  if (list.length > MAX_BATCH)
    throw invalid(
      `${list.length} is too many occurrence to batch create, a maximum of ${MAX_BATCH} occurrence is allowed per batch create`,
    );
  const problems: string[] = [];
  const decoded = list.map((raw, i) => {
    try {
      return decodeOccurrence(raw);
    } catch (error) {
      problems.push(
        `occurrences[${i}]: rpc error: code = InvalidArgument desc = ${(error as Error).message}`,
      );
      return {};
    }
  });
  if (problems.length > 0) {
    throw invalid(
      `one or more occurrences are invalid, no occurrences were created: [${problems.join(' ')}]`,
    );
  }
  return { occurrences: insertOccurrences(ctx, project, decoded) };
}

function findOccurrence(ctx: OssContext, id: string, spelling = 'Exist'): OccurrenceRecord {
  const record = ctx.records.findOccurrence(undefined, id);
  if (!record) throw notFound(`Occurrence with ID ${id} does not ${spelling}`);
  return record;
}

/** GetOccurrence looks the id up alone and rewrites the stored name to the project in the path. */
export function getOccurrence(ctx: OssContext, project: string, id: string): Json {
  findOccurrence(ctx, id);
  return emitOccurrence(ctx.records.updateOccurrence(id, { project })!);
}

/** UpdateOccurrence ignores updateMask and replaces everything; the reply (and the row) lose the name. */
export function updateOccurrence(ctx: OssContext, id: string, req: OssRequest): Json {
  const occurrence = withoutOutputOnly(decodeMessage(OCCURRENCE, req.body));
  assertMarshalable(occurrence);
  parseNote(String(occurrence.noteName ?? ''));
  findOccurrence(ctx, id, 'exist');
  const updated = ctx.records.updateOccurrence(id, {
    ...occurrenceColumns(occurrence),
    project: '',
    createTime: null,
    updateTime: now(),
  });
  return emitOccurrence(updated!);
}

export function deleteOccurrence(ctx: OssContext, id: string): Json {
  findOccurrence(ctx, id);
  ctx.records.removeOccurrence(undefined, id);
  throw deletedButFailed();
}

export function getOccurrenceNote(ctx: OssContext, id: string): Json {
  const occurrence = findOccurrence(ctx, id);
  return emitNote(findNote(ctx, occurrence.noteName));
}

export function listOccurrences(ctx: OssContext, project: string, req: OssRequest): Json {
  const pageSize = parsePageSize(req.query.pageSize ?? req.query.page_size, DEFAULT_PAGE_SIZE);
  const prefix = `projects/${project}`;
  const keys = sortedKeys(ctx, { projectPrefix: project }, (key) => occurrenceName(key).startsWith(prefix));
  const page = paged(keys, req, pageSize);
  return { occurrences: pageOfOccurrences(ctx, page.items), nextPageToken: page.nextPageToken };
}

/**
 * A scope's occurrences by name, as v0.1.0 pages them. The order is kept while the store does not
 * change (a listing of a large project would otherwise sort it again for every page).
 */
const sortedListings = new WeakMap<WireRecords, { version: string; byScan: Map<string, OccurrenceKey[]> }>();

function sortedKeys(
  ctx: OssContext,
  scan: OccurrenceScan,
  keep: (key: OccurrenceKey) => boolean,
): OccurrenceKey[] {
  const version = ctx.records.dataVersion();
  let cached = sortedListings.get(ctx.records);
  if (cached?.version !== version) {
    cached = { version, byScan: new Map() };
    sortedListings.set(ctx.records, cached);
  }
  const id = JSON.stringify(scan);
  let keys = cached.byScan.get(id);
  if (!keys) {
    keys = byName(ctx.records.occurrenceKeys(scan).filter(keep), occurrenceName);
    // A few scopes paged at once (a note and its project); more start over.
    if (cached.byScan.size >= 8) cached.byScan.clear();
    cached.byScan.set(id, keys);
  }
  return keys;
}

/** Only the page's own documents are read. */
function pageOfOccurrences(ctx: OssContext, keys: readonly OccurrenceKey[]): Json[] {
  return ctx.records.occurrencesBySeq(keys.map((key) => key.seq)).map(emitOccurrence);
}

// ---- projects ---------------------------------------------------------------------------------

export function createProject(ctx: OssContext, req: OssRequest): Json {
  const name = (req.body as Json).name;
  if (name === undefined || name === null || name === '') throw invalid('Project name must not be empty');
  if (typeof name !== 'string')
    throw invalid(`json: cannot unmarshal ${typeof name} into Go value of type string`);
  const match = /^projects\/([^/]+)$/.exec(name);
  if (!match) throw invalid('Invalid project name');
  if (ctx.projects.has(match[1]!)) throw alreadyExists(`Project with name "${match[1]}" already exists`);
  ctx.projects.add(match[1]!);
  return { name };
}

export function getProject(ctx: OssContext, project: string): Json {
  if (!ctx.projects.has(project)) throw notFound(`Project with name "${project}" does not Exist`);
  return { name: `projects/${project}` };
}

export function deleteProject(ctx: OssContext, project: string): Json {
  if (!ctx.projects.delete(project)) throw notFound(`Project with name "${project}" does not Exist`);
  throw deletedButFailed();
}

/** ListProjects: its own default page size (100), and no maximum. */
export function listProjects(ctx: OssContext, req: OssRequest): Json {
  const pageSize = parsePageSize(
    req.query.pageSize ?? req.query.page_size,
    DEFAULT_PROJECTS_PAGE_SIZE,
    false,
  );
  const names = [...ctx.projects].map((p) => `projects/${p}`).sort();
  const page = paged(names, req, pageSize);
  return { projects: page.items.map((name) => ({ name })), nextPageToken: page.nextPageToken };
}
