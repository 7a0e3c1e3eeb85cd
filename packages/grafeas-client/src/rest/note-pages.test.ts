import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../open.js';
import { listenOnLoopback } from '../test-support/loopback-server.js';

const NOTE = 'projects/p/notes/n';
const TOTAL = 2_500;

/**
 * A v1beta1 server holding TOTAL attestations on NOTE, paged by offset as Grafeas v0.1.0 pages; with
 * `maxPageSize` it refuses larger pages with INVALID_ARGUMENT, as v0.1.0 does for a project's listing.
 */
async function noteServer(closers: (() => Promise<void>)[], maxPageSize?: number) {
  const pageSizes: number[] = [];
  const server = http.createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const pageSize = Number(query.get('pageSize'));
    pageSizes.push(pageSize);
    if (maxPageSize !== undefined && pageSize > maxPageSize) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'page size too large', code: 3, message: 'page size too large' }));
      return;
    }
    const start = Number(query.get('pageToken') ?? 0);
    const end = Math.min(TOTAL, start + pageSize);
    const occurrences = Array.from({ length: end - start }, (_, i) => ({
      name: `projects/p/occurrences/o${start + i}`,
      noteName: NOTE,
      kind: 'ATTESTATION',
      resource: { uri: `https://gcr.io/p/a${start + i}@sha256:${'0'.repeat(64)}` },
      attestation: { attestation: { pgpSignedAttestation: { signature: 'x', pgpKeyId: 'F' } } },
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ occurrences, nextPageToken: end < TOTAL ? String(end) : '' }));
  });
  const { url, close } = await listenOnLoopback(server);
  closers.push(close);
  return { url, pageSizes };
}

async function readNote(url: string) {
  const store = await openMetadataStore(`grafeas:${url}`, { retry: { attempts: 1 } });
  try {
    const names: string[] = [];
    await store.visitOccurrences({ noteName: NOTE }, (o) => names.push(o.name ?? ''));
    return names;
  } finally {
    await store.close();
  }
}

describe('a whole note read from open-source Grafeas', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('asks for large pages, which v0.1.0 serves uncapped: one request for 2,500 attestations', async () => {
    const server = await noteServer(closers);
    const names = await readNote(server.url);
    expect(new Set(names).size).toBe(TOTAL);
    expect(server.pageSizes).toEqual([10_000]);
  });

  it('reads by 1000 from a server that refuses the large first page', async () => {
    const server = await noteServer(closers, 1000);
    const names = await readNote(server.url);
    expect(new Set(names).size).toBe(TOTAL);
    expect(server.pageSizes).toEqual([10_000, 1000, 1000, 1000]);
  });
});
