import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isGrafeasError } from '../errors.js';
import { openMetadataStore } from '../open.js';
import type { MetadataStore } from '../store.js';
import { listenOnLoopback } from '../test-support/loopback-server.js';
import { followPages, type PageAnswer } from './paging.js';

const LIMITS = { maxPages: 50, maxItems: 1_000 };

function named(...ids: number[]) {
  return ids.map((id) => ({ name: `projects/p/occurrences/${id}` }));
}

/** Pages served in order; past the end, the last one again. */
function script(pages: PageAnswer[]) {
  let calls = 0;
  const read = async () => pages[Math.min(calls++, pages.length - 1)] as PageAnswer;
  return { read, calls: () => calls };
}

async function list(pages: PageAnswer[], emptyPageEnds = true, limits = LIMITS) {
  const server = script(pages);
  const seen: unknown[] = [];
  const outcome = await followPages({ backend: 'b', limits, emptyPageEnds }, server.read, (raw) =>
    seen.push(raw),
  ).then(
    () => 'ended',
    (error: unknown) => error,
  );
  return { outcome, seen, calls: server.calls() };
}

describe('followPages on a large page', () => {
  it('visits it in slices of 250, letting other work run between them', async () => {
    const ids = Array.from({ length: 625 }, (_, i) => i);
    let turnsTaken = 0;
    const turnsSeen: number[] = [];
    const outcome = await followPages(
      { backend: 'b', limits: { maxPages: 1, maxItems: 10_000 }, emptyPageEnds: true },
      async () => ({ items: named(...ids), nextPageToken: undefined }),
      () => {
        // Work queued by another request while the page is visited.
        if (turnsSeen.length % 250 === 0) setImmediate(() => (turnsTaken += 1));
        turnsSeen.push(turnsTaken);
      },
    ).then(() => 'ended');
    expect(outcome).toBe('ended');
    expect([turnsSeen[249], turnsSeen[250], turnsSeen[500], turnsSeen[624]]).toEqual([0, 1, 2, 2]);
  });
});

describe('followPages asks for the next page before handing over this one', () => {
  it('has the next page under way while the items of the last one are visited', async () => {
    const server = script([
      { items: named(1, 2), nextPageToken: 'a' },
      { items: named(3), nextPageToken: undefined },
    ]);
    const callsAtItem: number[] = [];
    await followPages({ backend: 'b', limits: LIMITS, emptyPageEnds: true }, server.read, () =>
      callsAtItem.push(server.calls()),
    );
    expect(callsAtItem).toEqual([2, 2, 2]);
  });

  it('fails with the error of a page that fails the listing, not with the page asked for after it', async () => {
    let calls = 0;
    const read = async (): Promise<PageAnswer> => {
      calls += 1;
      if (calls === 2) throw new Error('the second page failed');
      return { items: named(1), nextPageToken: 'a' };
    };
    const outcome = await followPages({ backend: 'b', limits: LIMITS, emptyPageEnds: true }, read, () => {
      throw new Error('the visitor refused an item');
    }).catch((e: unknown) => (e as Error).message);
    expect(outcome).toBe('the visitor refused an item');
    expect(calls).toBe(2);
  });
});

describe('followPages on broken servers', () => {
  it('ends on an empty page that carries a fresh token (OSS Grafeas on PostgreSQL)', async () => {
    const { outcome, seen, calls } = await list([
      { items: named(1, 2), nextPageToken: 'gAAAA1' },
      { items: [], nextPageToken: 'gAAAA2-restarts-at-row-1' },
      { items: named(1, 2), nextPageToken: 'gAAAA3' },
    ]);
    expect(outcome).toBe('ended');
    expect(seen).toHaveLength(2);
    expect(calls).toBe(2);
  });

  it('keeps following an empty page where the API allows one mid-listing (Google, AIP-158)', async () => {
    const { outcome, seen } = await list(
      [
        { items: named(1), nextPageToken: 't1' },
        { items: [], nextPageToken: 't2' },
        { items: named(2), nextPageToken: undefined },
      ],
      false,
    );
    expect(outcome).toBe('ended');
    expect(seen).toEqual(named(1, 2));
  });

  it('ends on a page holding only names already seen (a restart from the first row)', async () => {
    const { outcome, seen, calls } = await list([
      { items: named(1, 2, 3), nextPageToken: 'a' },
      { items: named(4), nextPageToken: 'b' },
      { items: named(2, 1), nextPageToken: 'c' },
      { items: named(5), nextPageToken: undefined },
    ]);
    expect(outcome).toBe('ended');
    expect(seen).toEqual(named(1, 2, 3, 4));
    expect(calls).toBe(3);
  });

  it('hands each occurrence over once when pages overlap', async () => {
    const { seen } = await list([
      { items: named(1, 2), nextPageToken: 'a' },
      { items: named(2, 3), nextPageToken: undefined },
    ]);
    expect(seen).toEqual(named(1, 2, 3));
  });

  it('fails with GRAFEAS_LIST_TOO_LONG past the page bound, naming the bound', async () => {
    let n = 0;
    const endless = async (): Promise<PageAnswer> => {
      n += 1;
      return { items: named(n), nextPageToken: `t${n}` };
    };
    const error = await followPages(
      { backend: 'grafeas-at-test', limits: { maxPages: 7, maxItems: 1_000 }, emptyPageEnds: true },
      endless,
      () => {},
    ).catch((e: unknown) => e);
    expect(isGrafeasError(error, 'GRAFEAS_LIST_TOO_LONG')).toBe(true);
    expect((error as Error).message).toContain('7 pages');
    expect((error as Error).message).toContain('grafeas-at-test');
    expect(n).toBe(7);
  });

  it('fails with GRAFEAS_LIST_TOO_LONG past the item bound', async () => {
    const { outcome } = await list(
      [
        { items: named(1, 2, 3), nextPageToken: 'a' },
        { items: named(4, 5, 6), nextPageToken: undefined },
      ],
      true,
      { maxPages: 10, maxItems: 5 },
    );
    expect(isGrafeasError(outcome, 'GRAFEAS_LIST_TOO_LONG')).toBe(true);
    expect((outcome as Error).message).toContain('5 items');
  });

  it('reports progress after each page', async () => {
    const progress: unknown[] = [];
    await followPages(
      { backend: 'b', limits: LIMITS, emptyPageEnds: true, onPage: (p) => progress.push(p) },
      script([
        { items: named(1, 2), nextPageToken: 'a' },
        { items: named(3), nextPageToken: undefined },
      ]).read,
      () => {},
    );
    expect(progress).toEqual([
      { pages: 1, items: 2 },
      { pages: 2, items: 3 },
    ]);
  });
});

describe('a grafeas: listing against a server whose tokens restart (over HTTP)', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  /** 25 occurrences paged by 10 with fresh tokens that wrap around to row 1 forever, like v0.1.0 on PostgreSQL. */
  async function restartingServer(): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests += 1;
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('pageToken');
      const offset = token ? Number(token.split('-')[1]) % 30 : 0;
      const occurrences = Array.from({ length: Math.max(0, Math.min(10, 25 - offset)) }, (_, i) => ({
        name: `projects/p/occurrences/o${offset + i}`,
        noteName: 'projects/p/notes/n',
        resource: { uri: `https://gcr.io/p/a@sha256:${'0'.repeat(64)}` },
        attestation: { attestation: { pgpSignedAttestation: { signature: 'x', pgpKeyId: 'F' } } },
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ occurrences, nextPageToken: `fresh${requests}-${offset + 10}` }));
    });
    const { url, close } = await listenOnLoopback(server);
    closers.push(close);
    return { url, requests: () => requests };
  }

  it('ends with every row once instead of running into the deadline', async () => {
    const server = await restartingServer();
    const store: MetadataStore = await openMetadataStore(`grafeas:${server.url}`, { pageSize: 10 });
    closers.push(() => store.close());
    const listed = await store.listOccurrences('p');
    expect(listed.items).toHaveLength(25);
    expect(new Set(listed.items.map((o) => o.name)).size).toBe(25);
    expect(server.requests()).toBe(4);
  });
});
