import {
  isValidId,
  type Note,
  type Occurrence,
  type OccurrenceSpec,
  parseNoteName,
  type SqliteMetadataStore,
  type WireMapper,
} from '@signet/grafeas-client';
import { alreadyExists, type Flavor, invalid, notFound } from './api-error.js';
import { filterSubject, matchesFilter, parseFilter } from './filter.js';
import {
  decodeOffsetToken,
  decodeToken,
  encodeOffsetToken,
  encodeToken,
  MAX_PAGE_SIZE,
  parsePageSize,
} from './paging.js';

export interface Context {
  store: SqliteMetadataStore;
  flavor: Flavor;
  mapper: WireMapper;
}

export interface Request {
  query: Record<string, string | undefined>;
  /** Parsed JSON body (POST only). */
  body: unknown;
}

export type Json = Record<string, unknown>;

function out(ctx: Context) {
  const kind = ctx.flavor === 'google';
  return {
    note: (n: Note) => ctx.mapper.noteToWire(n, { kind }),
    occurrence: (o: Occurrence) => ctx.mapper.occurrenceToWire(o, { kind }),
  };
}

function param(req: Request, camel: string, snake: string): string | undefined {
  return req.query[camel] ?? req.query[snake];
}

export function checkProject(project: string): string {
  if (!isValidId(project)) throw invalid(`invalid project name "projects/${project}"`);
  return project;
}

function checkId(what: string, id: string): string {
  if (!isValidId(id)) throw invalid(`invalid ${what} id "${id}"`);
  return id;
}

function asObject(body: unknown, what: string): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid(`${what} must be a JSON object`);
  }
  return body as Json;
}

function readOccurrence(ctx: Context, raw: unknown, where = 'occurrence'): OccurrenceSpec {
  const parsed = ctx.mapper.occurrenceFromWire(asObject(raw, where));
  if (!parsed.ok) throw invalid(`${where} is invalid: ${parsed.skipped.reason}`);
  const spec = parsed.value.spec;
  if (!parseNoteName(spec.noteName)) {
    throw invalid(`${where} is invalid: noteName "${spec.noteName}" is not projects/P/notes/N`);
  }
  return spec;
}

export function createNote(ctx: Context, project: string, req: Request): Json {
  const noteId = param(req, 'noteId', 'note_id');
  if (!noteId) throw invalid('noteId is required');
  checkId('note', noteId);
  const parsed = ctx.mapper.noteFromWire(asObject(req.body, 'note'));
  if (!parsed.ok) throw invalid(`note is invalid: ${parsed.skipped.reason}`);
  const inserted = ctx.store.insertNote(project, noteId, parsed.value.spec);
  if (!inserted.created)
    throw alreadyExists(`note with name "projects/${project}/notes/${noteId}" already exists`);
  return out(ctx).note(inserted.value);
}

export function batchCreateNotes(ctx: Context, project: string, req: Request): Json {
  const notes = asObject(req.body, 'request').notes;
  const entries = Object.entries(asObject(notes ?? {}, 'notes'));
  if (entries.length === 0) throw invalid('notes is required: {"notes": {"<noteId>": Note}}');
  if (entries.length > MAX_PAGE_SIZE) throw invalid(`at most ${MAX_PAGE_SIZE} notes per batch`);
  const specs = entries.map(([id, raw]) => {
    checkId('note', id);
    const parsed = ctx.mapper.noteFromWire(asObject(raw, `notes["${id}"]`));
    if (!parsed.ok) throw invalid(`notes["${id}"] is invalid: ${parsed.skipped.reason}`);
    if (ctx.store.findNote(project, id))
      throw alreadyExists(`note "projects/${project}/notes/${id}" already exists`);
    return [id, parsed.value.spec] as const;
  });
  return { notes: specs.map(([id, spec]) => out(ctx).note(ctx.store.insertNote(project, id, spec).value)) };
}

export function getNote(ctx: Context, project: string, noteId: string): Json {
  const note = ctx.store.findNote(project, checkId('note', noteId));
  if (!note) throw notFound(`Note with name "projects/${project}/notes/${noteId}" does not Exist`);
  return out(ctx).note(note);
}

export function deleteNote(ctx: Context, project: string, noteId: string): Json {
  if (!ctx.store.removeNote(project, checkId('note', noteId))) {
    throw notFound(`Note with name "projects/${project}/notes/${noteId}" does not Exist`);
  }
  return {};
}

export function listNotes(ctx: Context, project: string, req: Request): Json {
  const pageSize = parsePageSize(param(req, 'pageSize', 'page_size'), ctx.flavor);
  const cursor = decodeToken(ctx.flavor, param(req, 'pageToken', 'page_token'));
  const filter = ctx.flavor === 'google' ? parseFilter(req.query.filter) : undefined;
  const kind = filter?.op === '=' && filter.field === 'kind' ? filter.value : undefined;
  if (filter && !kind) throw invalid('a notes filter may only be kind="ATTESTATION" or kind="VULNERABILITY"');
  const page = ctx.store.pageNotes({
    project,
    pageSize,
    ...(kind === 'ATTESTATION' || kind === 'VULNERABILITY' ? { kind } : {}),
    ...(cursor?.kind === 'after' ? { afterId: cursor.value } : {}),
    ...(cursor?.kind === 'offset' ? { offset: cursor.value } : {}),
  });
  return {
    notes: page.items.map(out(ctx).note),
    ...(page.next !== undefined ? { nextPageToken: encodeToken(ctx.flavor, page.next) } : {}),
  };
}

export function createOccurrence(ctx: Context, project: string, req: Request): Json {
  const spec = readOccurrence(ctx, req.body);
  const [inserted] = ctx.store.insertOccurrences(project, [spec], ctx.flavor === 'google');
  if (!inserted?.created) throw alreadyExists(`an identical occurrence exists: ${inserted?.value.name}`);
  return out(ctx).occurrence(inserted.value);
}

export function batchCreateOccurrences(ctx: Context, project: string, req: Request): Json {
  const list = asObject(req.body, 'request').occurrences;
  if (!Array.isArray(list) || list.length === 0)
    throw invalid('occurrences is required: {"occurrences": [...]}');
  if (list.length > MAX_PAGE_SIZE) throw invalid(`at most ${MAX_PAGE_SIZE} occurrences per batch`);
  const specs = list.map((raw, i) => readOccurrence(ctx, raw, `occurrences[${i}]`));
  const inserted = ctx.store.insertOccurrences(project, specs, ctx.flavor === 'google');
  return { occurrences: inserted.map((i) => out(ctx).occurrence(i.value)) };
}

export function getOccurrence(ctx: Context, project: string, id: string): Json {
  return out(ctx).occurrence(findOccurrence(ctx, project, id));
}

function findOccurrence(ctx: Context, project: string, id: string): Occurrence {
  const occurrence = ctx.store.findOccurrence(project, checkId('occurrence', id));
  if (!occurrence)
    throw notFound(`Occurrence with name "projects/${project}/occurrences/${id}" does not Exist`);
  return occurrence;
}

export function deleteOccurrence(ctx: Context, project: string, id: string): Json {
  if (!ctx.store.removeOccurrence(project, checkId('occurrence', id))) {
    throw notFound(`Occurrence with name "projects/${project}/occurrences/${id}" does not Exist`);
  }
  return {};
}

export function getOccurrenceNote(ctx: Context, project: string, id: string): Json {
  const occurrence = findOccurrence(ctx, project, id);
  const name = parseNoteName(occurrence.noteName);
  const note = name ? ctx.store.findNote(name.project, name.id) : undefined;
  if (!note) throw notFound(`Note with name "${occurrence.noteName}" does not Exist`);
  return out(ctx).note(note);
}

/** occurrences.list (project set) and notes.occurrences.list (noteName set). */
export function listOccurrences(
  ctx: Context,
  scope: { project: string } | { noteName: string },
  req: Request,
): Json {
  const pageSize = parsePageSize(param(req, 'pageSize', 'page_size'), ctx.flavor);
  if (ctx.flavor === 'oss') return listOssOccurrences(ctx, scope, req, pageSize);
  const filter = parseFilter(req.query.filter);
  const offset = decodeOffsetToken(param(req, 'pageToken', 'page_token'));
  const all = ctx.store
    .pageOccurrences({ ...scope, pageSize: Number.POSITIVE_INFINITY })
    .items.filter((o) => matchesFilter(filter, filterSubject(o.kind, o.resourceUri, o.noteName)));
  const page = all.slice(offset, offset + pageSize);
  const next = offset + page.length;
  return {
    occurrences: page.map(out(ctx).occurrence),
    ...(next < all.length ? { nextPageToken: encodeOffsetToken(next) } : {}),
  };
}

/** Open-source Grafeas ignores filters and pages by decimal offsets. */
function listOssOccurrences(
  ctx: Context,
  scope: { project: string } | { noteName: string },
  req: Request,
  pageSize: number,
): Json {
  const cursor = decodeToken(ctx.flavor, param(req, 'pageToken', 'page_token'));
  const page = ctx.store.pageOccurrences({
    pageSize,
    ...scope,
    ...(cursor?.kind === 'offset' ? { offset: cursor.value } : {}),
  });
  return {
    occurrences: page.items.map(out(ctx).occurrence),
    ...(page.next !== undefined ? { nextPageToken: encodeToken(ctx.flavor, page.next) } : {}),
  };
}
