import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GrafeasError } from '../errors.js';
import { openMetadataStore } from '../open.js';
import { genericAttestation, imageUrl, runMetadataStoreContract } from '../test-support/contract.js';
import { SqliteMetadataStore } from './sqlite-store.js';

runMetadataStoreContract(
  'sqlite::memory:',
  async () => ({ store: await openMetadataStore('sqlite::memory:') }),
  {
    dedupesAttestations: true,
    pgpSurvives: true,
  },
);

describe('a SQLite store that cannot be opened', () => {
  it('says the folder must exist and be writable, not that a backend is down', () => {
    const path = join(tmpdir(), 'signet-no-such-folder', 'metadata.db');
    let failure: unknown;
    try {
      new SqliteMetadataStore(path);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(GrafeasError);
    expect((failure as GrafeasError).code).toBe('GRAFEAS_UNAVAILABLE');
    expect((failure as GrafeasError).explain()).toMatch(
      new RegExp(
        `cannot open the SQLite store ${path}: .*\\n  fix: its folder must exist and be writable by this user`,
      ),
    );
  });
});

describe('SQLite file shared by two openers (a CLI and a server)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('sees what the other wrote, in WAL mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signet-sqlite-'));
    dirs.push(dir);
    const url = `sqlite:${join(dir, 'grafeas.db')}`;
    const server = await openMetadataStore(url);
    const cli = await openMetadataStore(url);
    const created = await cli.createOccurrence('p', genericAttestation('p', imageUrl('p')));
    const seen = await server.getOccurrence(created.name);
    expect(seen.name).toBe(created.name);
    await Promise.all([
      server.batchCreateOccurrences('p', [genericAttestation('p', imageUrl('p', 1))]),
      cli.batchCreateOccurrences('p', [genericAttestation('p', imageUrl('p', 2))]),
    ]);
    expect((await server.listOccurrences('p')).items).toHaveLength(3);
    await cli.close();
    await server.close();
    const reopened = new SqliteMetadataStore(join(dir, 'grafeas.db'));
    expect((await reopened.listOccurrences('p')).items).toHaveLength(3);
    await reopened.close();
  });

  it('reports a path it cannot open as GRAFEAS_UNAVAILABLE naming the path', async () => {
    const error = await openMetadataStore('sqlite:/nonexistent-dir/x/grafeas.db').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'GRAFEAS_UNAVAILABLE',
      backend: 'sqlite:/nonexistent-dir/x/grafeas.db',
    });
    expect((error as Error).message).toContain('/nonexistent-dir/x/grafeas.db');
  });
});

describe('keyset pages', () => {
  it('pages by insertion order with a cursor, and by id with an offset', () => {
    const store = new SqliteMetadataStore(':memory:');
    store.insertOccurrences(
      'p',
      Array.from({ length: 5 }, (_, i) => genericAttestation('p', imageUrl('p', i))),
      false,
    );
    const first = store.pageOccurrences({ project: 'p', pageSize: 2 });
    expect(first.items).toHaveLength(2);
    const second = store.pageOccurrences({ project: 'p', pageSize: 2, afterSeq: first.next! });
    const third = store.pageOccurrences({ project: 'p', pageSize: 2, afterSeq: second.next! });
    expect(third.next).toBeUndefined();
    const names = [...first.items, ...second.items, ...third.items].map((o) => o.name);
    expect(new Set(names).size).toBe(5);
    const byOffset = store.pageOccurrences({ project: 'p', pageSize: 3, offset: 0 });
    expect(byOffset.next).toBe(3);
    const sorted = [...names].sort();
    expect(byOffset.items.map((o) => o.name)).toEqual(sorted.slice(0, 3));
    const suffix = store.pageOccurrences({
      pageSize: 10,
      resourceUriSuffix: `app3@sha256:${'a'.repeat(64)}`,
    });
    expect(suffix.items.map((o) => o.resourceUri)).toEqual([imageUrl('p', 3)]);
  });
});
