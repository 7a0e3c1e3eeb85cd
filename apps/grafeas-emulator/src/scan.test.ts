import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericAttestation, imageUrl } from '../../../packages/grafeas-client/src/test-support/contract.js';
import { type RunningEmulator, startEmulator } from './server.js';

/** Whole-scope scans and the filter probe, over each kind of backend. */
/** Rows are written through Signet's model (a store file shared with `signet`): both flavours serve them. */
describe.each([
  ['google', 'containeranalysis v1', (url: string) => `containeranalysis:${url}`, 'v1', 'applied'],
  ['oss', 'grafeas: v1beta1', (url: string) => `grafeas:${url}`, 'v1beta1', 'ignored'],
] as const)('%s flavour through %s', (flavor, _label, storeUrl, api, filters) => {
  let emulator: RunningEmulator;
  let store: MetadataStore;

  beforeAll(async () => {
    emulator = await startEmulator({ flavor });
    store = await openMetadataStore(storeUrl(emulator.url), { api, pageSize: 4 });
  });
  afterAll(async () => {
    await store.close();
    await emulator.close();
  });

  it(`the probe of an empty project falls back to the scheme's assumption (${filters})`, async () => {
    expect(await store.filterSupport('empty')).toEqual({ filters, how: 'assumed' });
  });

  it(`the probe of a project with occurrences proves filters are ${filters}`, async () => {
    emulator.store.insertOccurrences('probed', [genericAttestation('probed', imageUrl('probed'))], false);
    expect(await store.filterSupport('probed')).toEqual({ filters, how: 'probe' });
  });

  it('scans a project and a note whole, page by page, with progress', async () => {
    const specs = Array.from({ length: 10 }, (_, i) =>
      genericAttestation('scan', imageUrl('scan', i), i % 2 === 0 ? 'even' : 'odd'),
    );
    emulator.store.insertNote('scan', 'even', { kind: 'ATTESTATION' });
    emulator.store.insertOccurrences('scan', specs, false);
    const pages: number[] = [];
    const all = await store.scanOccurrences({ project: 'scan' }, { onPage: (p) => pages.push(p.items) });
    expect(all.items).toHaveLength(10);
    expect(pages).toEqual([4, 8, 10]);
    const even = await store.scanOccurrences({ noteName: 'projects/scan/notes/even' });
    expect(even.items.map((o) => o.resourceUri).sort()).toEqual(
      [0, 2, 4, 6, 8].map((i) => imageUrl('scan', i)).sort(),
    );
  });

  it('hands a scan to a visitor page by page, keeping nothing', async () => {
    const seen: string[] = [];
    const pages: number[] = [];
    const summary = await store.visitOccurrences({ project: 'scan' }, (o) => seen.push(o.resourceUri), {
      onPage: (p) => pages.push(p.items),
    });
    expect(summary).toEqual({ items: 10, skipped: [] });
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => imageUrl('scan', i)).sort());
    expect(pages).toEqual([4, 8, 10]);
  });
});

describe('a filter probe that gets no answer', () => {
  it('falls back to the scheme, saying why', async () => {
    const store = await openMetadataStore('grafeas:http://127.0.0.1:1', { retry: { attempts: 1 } });
    try {
      const support = await store.filterSupport('p');
      expect(support).toMatchObject({ filters: 'ignored', how: 'assumed' });
      expect(support.probeFailed).toContain('127.0.0.1:1');
    } finally {
      await store.close();
    }
  });
});

describe('the embedded store', () => {
  it('applies filters itself and scans a note whole', async () => {
    const store = await openMetadataStore('sqlite::memory:');
    try {
      expect(await store.filterSupport('p')).toEqual({ filters: 'applied', how: 'local' });
      await store.batchCreateOccurrences('p', [genericAttestation('p', imageUrl('p', 1))]);
      const scanned = await store.scanOccurrences({ noteName: 'projects/p/notes/qa' });
      expect(scanned.items).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
