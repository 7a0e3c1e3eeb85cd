import type Database from 'better-sqlite3';

const SCHEMA_VERSION = 3;

const DDL = `
CREATE TABLE IF NOT EXISTS notes (
  project TEXT NOT NULL,
  note_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  create_time TEXT NOT NULL,
  update_time TEXT NOT NULL,
  PRIMARY KEY (project, note_id)
);
CREATE TABLE IF NOT EXISTS occurrences (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  project TEXT NOT NULL,
  occurrence_id TEXT NOT NULL UNIQUE,
  resource_uri TEXT NOT NULL,
  note_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  fingerprint TEXT,
  create_time TEXT NOT NULL,
  update_time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS occurrences_by_resource_kind ON occurrences (project, resource_uri, kind, seq);
CREATE INDEX IF NOT EXISTS occurrences_by_note ON occurrences (note_name, resource_uri, seq);
CREATE INDEX IF NOT EXISTS occurrences_by_id ON occurrences (project, occurrence_id);
CREATE INDEX IF NOT EXISTS occurrences_by_fingerprint ON occurrences (project, fingerprint);
`;

/**
 * Every lookup is one indexed search (query-plans.test.ts checks the query plans): by project and
 * resource URI (each spelling, `https://X` and `X`, is one equality probe of the same index) and
 * kind; by note and resource URI. No index leads with kind: without statistics the planner would pick
 * it over the resource index whenever it saves the sort. Versions 1 and 2 indexed (project, resource_uri, seq).
 */
const V3_MIGRATION = 'DROP INDEX IF EXISTS occurrences_by_resource;';

/** WAL + a busy timeout let a CLI and a server share one file. */
export function prepareDatabase(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < SCHEMA_VERSION) {
    db.exec(DDL);
    // v2: the JSON a client wrote through the emulator, kept whole (nullable, so v1 files upgrade in place).
    for (const table of ['notes', 'occurrences']) {
      const columns = db.pragma(`table_info(${table})`) as { name: string }[];
      if (!columns.some((c) => c.name === 'wire')) db.exec(`ALTER TABLE ${table} ADD COLUMN wire TEXT`);
    }
    // v3: the resource index carries the kind (DDL above created it); v1 and v2 had it without.
    db.exec(V3_MIGRATION);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
}
