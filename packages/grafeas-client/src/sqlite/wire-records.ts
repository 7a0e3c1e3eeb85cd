import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ApiVersion, NoteSpec, OccurrenceSpec } from '../model.js';
import { specFromJson, specToJson } from './record.js';

/** A resource exactly as a client wrote it, in the API version it used. */
interface WireDocument {
  version: ApiVersion;
  json: Record<string, unknown>;
}

interface Stamped {
  kind: string;
  createTime: string | null;
  updateTime: string | null;
  /** Absent for rows written through the model only (the signer, the webhook). */
  wire?: WireDocument;
  /** Absent when Signet's model cannot hold the resource (kinds it does not use). */
  spec?: OccurrenceSpec | NoteSpec;
}

export interface OccurrenceRecord extends Stamped {
  seq: number;
  project: string;
  id: string;
  resourceUri: string;
  noteName: string;
  spec?: OccurrenceSpec;
}

export interface NoteRecord extends Stamped {
  project: string;
  id: string;
  spec?: NoteSpec;
}

export type NewOccurrenceRecord = Omit<OccurrenceRecord, 'seq' | 'project' | 'id'> & { id?: string };
export type NewNoteRecord = Omit<NoteRecord, 'project' | 'id'>;

/**
 * Which occurrences a scan visits. `projectPrefix` reproduces OSS Grafeas's name-prefix match.
 * `resourceUris` narrows the scan through the resource index (a filter that names resources).
 */
export interface OccurrenceScan {
  project?: string;
  projectPrefix?: string;
  noteName?: string;
  resourceUris?: readonly string[];
  afterSeq?: number;
}

/** An occurrence's identity and place, without its document. */
export interface OccurrenceKey {
  seq: number;
  project: string;
  id: string;
}

function scanWhere(scan: OccurrenceScan): { where: string; args: (string | number)[] } {
  const where = ['seq > ?'];
  const args: (string | number)[] = [scan.afterSeq ?? 0];
  const add = (clause: string, ...values: string[]) => {
    where.push(clause);
    args.push(...values);
  };
  if (scan.project !== undefined) add('project = ?', scan.project);
  if (scan.projectPrefix !== undefined)
    add('substr(project, 1, length(?)) = ?', scan.projectPrefix, scan.projectPrefix);
  if (scan.noteName !== undefined) add('note_name = ?', scan.noteName);
  if (scan.resourceUris !== undefined)
    add(`resource_uri IN (${scan.resourceUris.map(() => '?').join(', ') || 'NULL'})`, ...scan.resourceUris);
  return { where: where.join(' AND '), args };
}

interface Row {
  seq?: number;
  project: string;
  occurrence_id?: string;
  note_id?: string;
  resource_uri?: string;
  note_name?: string;
  kind: string;
  spec: string;
  wire: string | null;
  create_time: string;
  update_time: string;
}

/** Spec 'null' marks a row the model cannot hold; its readers skip it. */
export const MODEL_ROWS = "spec <> 'null'";

function nullableTime(value: string): string | null {
  return value === '' ? null : value;
}

function stamped(row: Row): Stamped {
  const spec = specFromJson<OccurrenceSpec | NoteSpec | null>(row.spec);
  return {
    kind: row.kind,
    createTime: nullableTime(row.create_time),
    updateTime: nullableTime(row.update_time),
    ...(row.wire ? { wire: JSON.parse(row.wire) as WireDocument } : {}),
    ...(spec ? { spec } : {}),
  };
}

function toOccurrenceRecord(row: Row): OccurrenceRecord {
  return {
    ...(stamped(row) as Stamped & { spec?: OccurrenceSpec }),
    seq: row.seq!,
    project: row.project,
    id: row.occurrence_id!,
    resourceUri: row.resource_uri!,
    noteName: row.note_name!,
  };
}

function toNoteRecord(row: Row): NoteRecord {
  return { ...(stamped(row) as Stamped & { spec?: NoteSpec }), project: row.project, id: row.note_id! };
}

interface Columns {
  kind?: string;
  spec?: OccurrenceSpec | NoteSpec | undefined;
  wire?: WireDocument;
  createTime?: string | null;
  updateTime?: string | null;
  resourceUri?: string;
  noteName?: string;
}

function columns(r: Columns): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (r.kind !== undefined) out.kind = r.kind;
  if ('spec' in r) out.spec = r.spec ? specToJson(r.spec) : 'null';
  if (r.wire !== undefined) out.wire = JSON.stringify(r.wire);
  if (r.createTime !== undefined) out.create_time = r.createTime ?? '';
  if (r.updateTime !== undefined) out.update_time = r.updateTime ?? '';
  if (r.resourceUri !== undefined) out.resource_uri = r.resourceUri;
  if (r.noteName !== undefined) out.note_name = r.noteName;
  return out;
}

/**
 * Notes and occurrences as clients wrote them (the emulator's view of the store). Rows the model can
 * hold carry their spec too, so the signer and the webhook read what the emulator stored.
 */
export class WireRecords {
  constructor(private readonly db: Database.Database) {}

  insertOccurrences(project: string, records: NewOccurrenceRecord[]): OccurrenceRecord[] {
    const insert = this.db.prepare(
      `INSERT INTO occurrences (project, occurrence_id, resource_uri, note_name, kind, spec, wire, create_time, update_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const run = this.db.transaction(() =>
      records.map((r) => {
        const id = r.id ?? randomUUID();
        const c = columns(r);
        insert.run(
          project,
          id,
          r.resourceUri,
          r.noteName,
          r.kind,
          c.spec ?? 'null',
          c.wire ?? null,
          c.create_time ?? '',
          c.update_time ?? '',
        );
        return this.findOccurrence(project, id)!;
      }),
    );
    return run();
  }

  /** Without a project the id alone finds it (OSS Grafeas looks occurrences up that way). */
  findOccurrence(project: string | undefined, id: string): OccurrenceRecord | undefined {
    const row = (
      project === undefined
        ? this.db.prepare('SELECT * FROM occurrences WHERE occurrence_id = ?').get(id)
        : this.db
            .prepare('SELECT * FROM occurrences WHERE project = ? AND occurrence_id = ?')
            .get(project, id)
    ) as Row | undefined;
    return row ? toOccurrenceRecord(row) : undefined;
  }

  updateOccurrence(
    id: string,
    changes: Partial<NewOccurrenceRecord> & { project?: string },
  ): OccurrenceRecord | undefined {
    const set = columns(changes);
    if (changes.project !== undefined) set.project = changes.project;
    const keys = Object.keys(set);
    if (keys.length > 0) {
      this.db
        .prepare(`UPDATE occurrences SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE occurrence_id = ?`)
        .run(...keys.map((k) => set[k]), id);
    }
    return this.findOccurrence(undefined, id);
  }

  removeOccurrence(project: string | undefined, id: string): boolean {
    const result =
      project === undefined
        ? this.db.prepare('DELETE FROM occurrences WHERE occurrence_id = ?').run(id)
        : this.db.prepare('DELETE FROM occurrences WHERE project = ? AND occurrence_id = ?').run(project, id);
    return result.changes > 0;
  }

  /** Occurrences in insertion order, read lazily: a caller may stop early. */
  *scanOccurrences(scan: OccurrenceScan): Generator<OccurrenceRecord> {
    const { where, args } = scanWhere(scan);
    const statement = this.db.prepare(`SELECT * FROM occurrences WHERE ${where} ORDER BY seq`);
    for (const row of statement.iterate(...args)) yield toOccurrenceRecord(row as Row);
  }

  /**
   * Who the occurrences of a scan are, in insertion order, without reading their documents: a listing
   * that sorts a whole scope (OSS Grafeas) sorts these, then reads one page with `occurrencesBySeq`.
   */
  occurrenceKeys(scan: OccurrenceScan): OccurrenceKey[] {
    const { where, args } = scanWhere(scan);
    const rows = this.db
      .prepare(`SELECT seq, project, occurrence_id FROM occurrences WHERE ${where} ORDER BY seq`)
      .all(...args) as { seq: number; project: string; occurrence_id: string }[];
    return rows.map((row) => ({ seq: row.seq, project: row.project, id: row.occurrence_id }));
  }

  /**
   * Changes whenever the file changes, through this connection or any other: what is computed from a
   * scan may be kept while it stays the same.
   */
  dataVersion(): string {
    const others = this.db.pragma('data_version', { simple: true }) as number;
    const own = (this.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    return `${others}:${own}`;
  }

  /** The occurrences of these sequence numbers, in the order given (those gone since are left out). */
  occurrencesBySeq(seqs: readonly number[]): OccurrenceRecord[] {
    if (seqs.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM occurrences WHERE seq IN (${seqs.map(() => '?').join(', ')})`)
      .all(...seqs) as Row[];
    const bySeq = new Map(rows.map((row) => [row.seq, row]));
    return seqs.flatMap((seq) => {
      const row = bySeq.get(seq);
      return row ? [toOccurrenceRecord(row)] : [];
    });
  }

  /** Undefined when the note exists already. */
  insertNote(project: string, id: string, record: NewNoteRecord): NoteRecord | undefined {
    if (this.findNote(project, id)) return undefined;
    const c = columns(record);
    this.db
      .prepare(
        'INSERT INTO notes (project, note_id, kind, spec, wire, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        project,
        id,
        record.kind,
        c.spec ?? 'null',
        c.wire ?? null,
        c.create_time ?? '',
        c.update_time ?? '',
      );
    return this.findNote(project, id);
  }

  findNote(project: string, id: string): NoteRecord | undefined {
    const row = this.db.prepare('SELECT * FROM notes WHERE project = ? AND note_id = ?').get(project, id) as
      | Row
      | undefined;
    return row ? toNoteRecord(row) : undefined;
  }

  updateNote(project: string, id: string, changes: Partial<NewNoteRecord>): NoteRecord | undefined {
    const set = columns(changes);
    const keys = Object.keys(set);
    if (keys.length > 0) {
      this.db
        .prepare(
          `UPDATE notes SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE project = ? AND note_id = ?`,
        )
        .run(...keys.map((k) => set[k]), project, id);
    }
    return this.findNote(project, id);
  }

  removeNote(project: string, id: string): boolean {
    return (
      this.db.prepare('DELETE FROM notes WHERE project = ? AND note_id = ?').run(project, id).changes > 0
    );
  }

  /** Notes of a project (or of every project whose id starts with `projectPrefix`), by id. */
  listNotes(scope: { project: string } | { projectPrefix: string }): NoteRecord[] {
    const rows =
      'project' in scope
        ? this.db.prepare('SELECT * FROM notes WHERE project = ? ORDER BY note_id').all(scope.project)
        : this.db
            .prepare('SELECT * FROM notes WHERE substr(project, 1, length(?)) = ? ORDER BY project, note_id')
            .all(scope.projectPrefix, scope.projectPrefix);
    return (rows as Row[]).map(toNoteRecord);
  }
}
