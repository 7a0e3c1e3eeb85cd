import type { ApiVersion } from '@signet/grafeas-client';
import { isValidId, parseNoteName } from '@signet/grafeas-client';
import type { OccurrenceRecord, WireRecords } from '@signet/grafeas-client/records';
import { alreadyExists, invalid, notFound } from '../api-error.js';
import { filterSubject, matchesFilter, parseFilter, requiredResources } from '../filter.js';
import { decodeToken, encodeToken, MAX_PAGE_SIZE, parsePageSize } from '../paging.js';
import {
  applyUpdate,
  asObject,
  type CheckedOccurrence,
  checkNote,
  checkOccurrence,
  type Json,
  noteJson,
  occurrenceJson,
} from './documents.js';
import { vulnerabilitySummary } from './summary.js';

export interface GoogleContext {
  records: WireRecords;
  version: ApiVersion;
  /** `P` or `P/locations/L`: what follows `projects/` in a parent name. */
  parent: string;
}

export interface GoogleRequest {
  query: Record<string, string | undefined>;
  body: unknown;
}

function param(req: GoogleRequest, camel: string, snake: string): string | undefined {
  return req.query[camel] ?? req.query[snake];
}

/** Google's timestamps carry microseconds. */
function now(): string {
  return new Date().toISOString().replace('Z', '000Z');
}

function checkId(what: string, id: string): string {
  if (!isValidId(id)) throw invalid(`invalid ${what} id "${id}"`);
  return id;
}

function missingNote(ctx: GoogleContext, id: string) {
  return notFound(`Note with name "projects/${ctx.parent}/notes/${id}" does not Exist`);
}

function missingOccurrence(ctx: GoogleContext, id: string) {
  return notFound(`Occurrence with name "projects/${ctx.parent}/occurrences/${id}" does not Exist`);
}

// ---- notes ------------------------------------------------------------------------------------

function insertNote(ctx: GoogleContext, id: string, body: unknown, what: string): Json {
  checkId('note', id);
  const checked = checkNote(ctx.version, body, what);
  const time = now();
  const record = ctx.records.insertNote(ctx.parent, id, {
    kind: checked.kind,
    wire: { version: ctx.version, json: checked.json },
    ...(checked.spec ? { spec: checked.spec } : {}),
    createTime: time,
    updateTime: time,
  });
  if (!record) throw alreadyExists(`note "projects/${ctx.parent}/notes/${id}" already exists`);
  return noteJson(ctx.version, record);
}

export function createNote(ctx: GoogleContext, req: GoogleRequest): Json {
  const noteId = param(req, 'noteId', 'note_id');
  if (!noteId) throw invalid('noteId is required');
  return insertNote(ctx, noteId, req.body, 'note');
}

export function batchCreateNotes(ctx: GoogleContext, req: GoogleRequest): Json {
  const entries = Object.entries(asObject(asObject(req.body, 'request').notes ?? {}, 'notes'));
  if (entries.length === 0) throw invalid('notes is required: {"notes": {"<noteId>": Note}}');
  if (entries.length > MAX_PAGE_SIZE) throw invalid(`at most ${MAX_PAGE_SIZE} notes per batch`);
  for (const [id, raw] of entries) {
    checkNote(ctx.version, raw, `notes["${id}"]`);
    if (ctx.records.findNote(ctx.parent, checkId('note', id))) {
      throw alreadyExists(`note "projects/${ctx.parent}/notes/${id}" already exists`);
    }
  }
  return { notes: entries.map(([id, raw]) => insertNote(ctx, id, raw, `notes["${id}"]`)) };
}

export function getNote(ctx: GoogleContext, id: string): Json {
  const record = ctx.records.findNote(ctx.parent, checkId('note', id));
  if (!record) throw missingNote(ctx, id);
  return noteJson(ctx.version, record);
}

export function updateNote(ctx: GoogleContext, id: string, req: GoogleRequest): Json {
  const stored = ctx.records.findNote(ctx.parent, checkId('note', id));
  if (!stored) throw missingNote(ctx, id);
  const current = noteJson(ctx.version, stored);
  const merged = applyUpdate(current, asObject(req.body, 'note'), param(req, 'updateMask', 'update_mask'));
  const checked = checkNote(ctx.version, merged);
  const record = ctx.records.updateNote(ctx.parent, id, {
    kind: checked.kind,
    wire: { version: ctx.version, json: checked.json },
    spec: checked.spec,
    updateTime: now(),
  });
  return noteJson(ctx.version, record!);
}

export function deleteNote(ctx: GoogleContext, id: string): Json {
  if (!ctx.records.removeNote(ctx.parent, checkId('note', id))) throw missingNote(ctx, id);
  return {};
}

export function listNotes(ctx: GoogleContext, req: GoogleRequest): Json {
  const pageSize = parsePageSize(param(req, 'pageSize', 'page_size'));
  const after = decodeToken(param(req, 'pageToken', 'page_token')) ?? '';
  const filter = parseFilter(req.query.filter);
  const matching = ctx.records
    .listNotes({ project: ctx.parent })
    .filter((n) => n.id > after)
    .filter((n) => matchesFilter(filter, filterSubject(n.kind, '', `projects/${ctx.parent}/notes/${n.id}`)));
  const page = matching.slice(0, pageSize);
  const more = matching.length > pageSize;
  if (page.length === 0) return {};
  return {
    notes: page.map((n) => noteJson(ctx.version, n)),
    ...(more ? { nextPageToken: encodeToken(page[page.length - 1]!.id) } : {}),
  };
}

// ---- occurrences ------------------------------------------------------------------------------

function insertOccurrences(ctx: GoogleContext, checked: CheckedOccurrence[]): OccurrenceRecord[] {
  const time = now();
  return ctx.records.insertOccurrences(
    ctx.parent,
    checked.map((c) => ({
      kind: c.kind,
      resourceUri: c.resourceUri,
      noteName: c.noteName,
      wire: { version: ctx.version, json: c.json },
      ...(c.spec ? { spec: c.spec } : {}),
      createTime: time,
      updateTime: time,
    })),
  );
}

export function createOccurrence(ctx: GoogleContext, req: GoogleRequest): Json {
  const [record] = insertOccurrences(ctx, [checkOccurrence(ctx.version, req.body)]);
  return occurrenceJson(ctx.version, record!);
}

export function batchCreateOccurrences(ctx: GoogleContext, req: GoogleRequest): Json {
  const list = asObject(req.body, 'request').occurrences;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid('occurrences is required: {"occurrences": [...]}');
  }
  if (list.length > MAX_PAGE_SIZE) throw invalid(`at most ${MAX_PAGE_SIZE} occurrences per batch`);
  const checked = list.map((raw, i) => checkOccurrence(ctx.version, raw, `occurrences[${i}]`));
  return { occurrences: insertOccurrences(ctx, checked).map((r) => occurrenceJson(ctx.version, r)) };
}

function findOccurrence(ctx: GoogleContext, id: string): OccurrenceRecord {
  const record = ctx.records.findOccurrence(ctx.parent, checkId('occurrence', id));
  if (!record) throw missingOccurrence(ctx, id);
  return record;
}

export function getOccurrence(ctx: GoogleContext, id: string): Json {
  return occurrenceJson(ctx.version, findOccurrence(ctx, id));
}

export function updateOccurrence(ctx: GoogleContext, id: string, req: GoogleRequest): Json {
  const current = occurrenceJson(ctx.version, findOccurrence(ctx, id));
  const merged = applyUpdate(
    current,
    asObject(req.body, 'occurrence'),
    param(req, 'updateMask', 'update_mask'),
  );
  const checked = checkOccurrence(ctx.version, merged);
  const record = ctx.records.updateOccurrence(id, {
    kind: checked.kind,
    resourceUri: checked.resourceUri,
    noteName: checked.noteName,
    wire: { version: ctx.version, json: checked.json },
    spec: checked.spec,
    updateTime: now(),
  });
  return occurrenceJson(ctx.version, record!);
}

export function deleteOccurrence(ctx: GoogleContext, id: string): Json {
  if (!ctx.records.removeOccurrence(ctx.parent, checkId('occurrence', id))) throw missingOccurrence(ctx, id);
  return {};
}

export function getOccurrenceNote(ctx: GoogleContext, id: string): Json {
  const occurrence = findOccurrence(ctx, id);
  const name = parseNoteName(occurrence.noteName);
  const note = name ? ctx.records.findNote(name.project, name.id) : undefined;
  if (!note) throw notFound(`Note with name "${occurrence.noteName}" does not Exist`);
  return noteJson(ctx.version, note);
}

/** occurrences.list (scope: the parent) and notes.occurrences.list (scope: a note name). */
export function listOccurrences(ctx: GoogleContext, req: GoogleRequest, noteId?: string): Json {
  const pageSize = parsePageSize(param(req, 'pageSize', 'page_size'));
  const afterSeq = Number(decodeToken(param(req, 'pageToken', 'page_token')) ?? 0);
  if (!Number.isSafeInteger(afterSeq)) throw invalid('invalid page token');
  const filter = parseFilter(req.query.filter);
  // A filter naming resources is answered through the store's resource index, not by reading the scope.
  const resources = requiredResources(filter);
  const narrowed = resources ? { afterSeq, resourceUris: resources } : { afterSeq };
  const scan =
    noteId === undefined
      ? { project: ctx.parent, ...narrowed }
      : { noteName: `projects/${ctx.parent}/notes/${checkId('note', noteId)}`, ...narrowed };
  const page: OccurrenceRecord[] = [];
  let more = false;
  for (const record of ctx.records.scanOccurrences(scan)) {
    if (!matchesFilter(filter, filterSubject(record.kind, record.resourceUri, record.noteName))) continue;
    if (page.length === pageSize) {
      more = true;
      break;
    }
    page.push(record);
  }
  if (page.length === 0) return {};
  return {
    occurrences: page.map((r) => occurrenceJson(ctx.version, r)),
    ...(more ? { nextPageToken: encodeToken(page[page.length - 1]!.seq) } : {}),
  };
}

export function summarizeVulnerabilities(ctx: GoogleContext, req: GoogleRequest): Json {
  const filter = parseFilter(req.query.filter);
  const resources = requiredResources(filter);
  const scan = resources ? { project: ctx.parent, resourceUris: resources } : { project: ctx.parent };
  const matching = [...ctx.records.scanOccurrences(scan)].filter(
    (r) =>
      r.kind === 'VULNERABILITY' && matchesFilter(filter, filterSubject(r.kind, r.resourceUri, r.noteName)),
  );
  return vulnerabilitySummary(
    matching.map((r) => occurrenceJson(ctx.version, r)),
    ctx.version,
  );
}
