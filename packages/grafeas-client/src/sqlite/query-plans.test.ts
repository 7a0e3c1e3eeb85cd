import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericAttestation, imageUrl } from '../test-support/contract.js';
import { prepareDatabase } from './schema.js';
import { SqliteMetadataStore } from './sqlite-store.js';

const NOTE = 'projects/p/notes/qa';
const IMAGE = imageUrl('p', 1);
const BARE = IMAGE.slice('https://'.length);

/** The SQL text of every statement `work` prepares (better-sqlite3 prepares each query it runs). */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const prepare = Database.prototype.prepare;
  const seen = new Set<string>();
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    seen.add(source);
    return prepare.call(this, source);
  } as typeof prepare;
  try {
    await work();
  } finally {
    Database.prototype.prepare = prepare;
  }
  return [...seen].filter((sql) => /^\s*SELECT/i.test(sql));
}

function planOf(db: Database.Database, sql: string): string[] {
  const parameters = (sql.match(/\?/g) ?? []).map(() => null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[]).map(
    (row) => row.detail,
  );
}

describe('every lookup query of the SQLite store is served by an index', () => {
  let dir: string;
  let store: SqliteMetadataStore;
  let db: Database.Database;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-plans-'));
    store = new SqliteMetadataStore(join(dir, 'grafeas.db'));
    store.insertOccurrences(
      'p',
      Array.from({ length: 50 }, (_, i) => genericAttestation('p', imageUrl('p', i))),
      false,
    );
    db = new Database(join(dir, 'grafeas.db'), { readonly: true });
  });

  afterAll(async () => {
    db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const LOOKUPS: [string, () => Promise<unknown>][] = [
    ['attestations of a note for an image', () => store.listNoteOccurrences(NOTE, IMAGE)],
    ['attestations of a note for a scheme-less image', () => store.listNoteOccurrences(NOTE, BARE)],
    ['occurrences of an image in a project', () => store.listImageOccurrences('p', IMAGE)],
    ['occurrences of a scheme-less image', () => store.listImageOccurrences('p', BARE)],
    [
      'occurrences of an image and kind',
      () => store.listOccurrences('p', { resourceUrl: IMAGE, kind: 'DISCOVERY' }),
    ],
    ['a note by name', () => store.getNote(NOTE).catch(() => undefined)],
    ['an occurrence by name', () => store.getOccurrence('projects/p/occurrences/x').catch(() => undefined)],
    ['the attestations of a note (scan)', () => store.scanOccurrences({ noteName: NOTE })],
    [
      'an identical attestation (dedupe on create)',
      () => store.createOccurrence('p', genericAttestation('p', IMAGE)),
    ],
    [
      "the emulator's listing of a project filtered on both spellings",
      async () => [...store.records.scanOccurrences({ project: 'p', resourceUris: [IMAGE, BARE] })],
    ],
    [
      "the emulator's listing of a note filtered on both spellings",
      async () => [...store.records.scanOccurrences({ noteName: NOTE, resourceUris: [IMAGE, BARE] })],
    ],
  ];

  it.each(LOOKUPS)('%s: SEARCH with an index, never a SCAN', async (_name, lookup) => {
    const statements = await statementsOf(lookup);
    expect(statements.length).toBeGreaterThan(0);
    for (const sql of statements) {
      const plan = planOf(db, sql);
      expect(
        plan.some((step) => /^SEARCH \w+ USING (COVERING )?INDEX/.test(step)),
        `${sql}\n${plan}`,
      ).toBe(true);
      expect(
        plan.filter((step) => step.startsWith('SCAN')),
        `${sql}\n${plan}`,
      ).toEqual([]);
    }
  });

  it.each([
    [
      'SELECT * FROM occurrences WHERE note_name = ? AND resource_uri IN (?, ?) ORDER BY seq',
      'occurrences_by_note',
    ],
    [
      'SELECT * FROM occurrences WHERE project = ? AND resource_uri IN (?, ?) ORDER BY seq',
      'occurrences_by_resource_kind',
    ],
    [
      'SELECT * FROM occurrences WHERE project = ? AND resource_uri IN (?, ?) AND kind = ? ORDER BY seq',
      'occurrences_by_resource_kind',
    ],
  ])('both spellings of a resource (https://X and X) probe one index: %s', (sql, index) => {
    const plan = planOf(db, sql);
    expect(plan[0]).toMatch(new RegExp(`^SEARCH occurrences USING INDEX ${index} \\(.*resource_uri=\\?`));
    expect(plan.filter((step) => step.startsWith('SCAN'))).toEqual([]);
  });

  const V1_TABLE = `CREATE TABLE occurrences (seq INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL,
    occurrence_id TEXT NOT NULL UNIQUE, resource_uri TEXT NOT NULL, note_name TEXT NOT NULL, kind TEXT NOT NULL,
    spec TEXT NOT NULL, fingerprint TEXT, create_time TEXT NOT NULL, update_time TEXT NOT NULL);
    CREATE INDEX occurrences_by_resource ON occurrences (project, resource_uri, seq);`;

  function indexesOf(db: Database.Database): string[] {
    const rows = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'occurrences'")
      .all() as { name: string }[];
    return rows.map((row) => row.name);
  }

  it.each([
    ['version 1', `${V1_TABLE} PRAGMA user_version = 1;`],
    [
      'version 2 (wire columns)',
      `${V1_TABLE} ALTER TABLE occurrences ADD COLUMN wire TEXT; PRAGMA user_version = 2;`,
    ],
  ])('upgrades a %s database: the old resource index is replaced, rows stay', (_name, ddl) => {
    const old = new Database(':memory:');
    old.exec(ddl);
    old
      .prepare(
        `INSERT INTO occurrences (project, occurrence_id, resource_uri, note_name, kind, spec, create_time, update_time)
         VALUES ('p', 'o1', ?, ?, 'ATTESTATION', '{}', 't', 't')`,
      )
      .run(IMAGE, NOTE);
    prepareDatabase(old);
    expect(indexesOf(old)).toContain('occurrences_by_resource_kind');
    expect(indexesOf(old)).not.toContain('occurrences_by_resource');
    expect(old.pragma('user_version', { simple: true })).toBe(3);
    expect(old.prepare('SELECT occurrence_id FROM occurrences WHERE resource_uri = ?').all(IMAGE)).toEqual([
      { occurrence_id: 'o1' },
    ]);
    old.close();
  });
});
