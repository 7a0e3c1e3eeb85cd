import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MetadataStore, type OccurrenceSpec, openMetadataStore } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { type RewritingProxy, startRewritingProxy } from '@signet/grafeas-emulator/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../monitoring/metrics.js';
import { metricValue } from '../test-support/metrics.js';
import { attestationSpec, vulnerabilitySpec } from '../test-support/occurrence-specs.js';
import { CachedMetadataSource } from './cached-metadata-source.js';

const PROJECT = 'batch';
const NOTE = `projects/${PROJECT}/notes/qa`;
const image = (n: number) =>
  `https://registry.example/batch/app${n}@sha256:${n.toString(16).padStart(64, '0')}`;
/** The image whose listings the store refuses, and the one holding a record nobody can read. */
const REFUSED = image(3);
const UNREADABLE = image(5);

function attestation(resourceUri: string): OccurrenceSpec {
  return attestationSpec(resourceUri, NOTE, `key of ${resourceUri}`);
}

function vulnerability(resourceUri: string, cve: string): OccurrenceSpec {
  return vulnerabilitySpec(resourceUri, cve, 'LOW');
}

/**
 * In front of the Google flavour: counts the listings, and refuses (403) any whose filter names REFUSED,
 * the way a chunk of a batched read fails.
 */
async function startCountingFront(target: string) {
  const filters: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', target);
    const filter = url.searchParams.get('filter') ?? '';
    filters.push(filter);
    if (filter.includes(REFUSED)) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 403, message: 'denied', status: 'PERMISSION_DENIED' } }));
      return;
    }
    const answer = await fetch(url, { method: req.method ?? 'GET' });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    filters,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The lookups of one review of `images`, started together as the decision starts them. */
function review(source: CachedMetadataSource, images: string[]) {
  return Promise.all(
    images.map(async (url) => {
      const [attestations, findings] = await Promise.allSettled([
        source.attestations(NOTE, url),
        source.vulnerabilities(url, PROJECT),
      ]);
      return { url, attestations, findings };
    }),
  );
}

describe('CachedMetadataSource over Container Analysis: the images of a review in batched reads', () => {
  const data = new SqliteMetadataStore(':memory:');
  let emulator: RunningEmulator;
  let proxy: RewritingProxy;
  let front: Awaited<ReturnType<typeof startCountingFront>>;
  let store: MetadataStore;
  const images = Array.from({ length: 40 }, (_, n) => image(n));

  beforeAll(async () => {
    data.insertNote(PROJECT, 'qa', { kind: 'ATTESTATION' });
    data.insertOccurrences(
      PROJECT,
      images.flatMap((url, n) => [attestation(url), vulnerability(url, `CVE-${n}`)]),
      false,
    );
    emulator = await startEmulator({ flavor: 'google', store: data });
    // UNREADABLE's vulnerability comes back with a package issue nobody can read.
    proxy = await startRewritingProxy(emulator.url, (o) => {
      const vuln = o.vulnerability as Record<string, unknown> | undefined;
      return vuln && o.resourceUri === UNREADABLE
        ? { ...o, vulnerability: { ...vuln, packageIssue: [null] } }
        : o;
    });
    front = await startCountingFront(proxy.url);
    store = await openMetadataStore(`containeranalysis:${front.url}`, { api: 'v1', retry: { attempts: 1 } });
  });
  beforeEach(() => {
    front.filters.length = 0;
  });
  afterAll(async () => {
    await store?.close();
    await front?.close();
    await proxy?.close();
    await emulator?.close();
    await data.close();
  });

  it('reads a Pod of 10 images with one query per lookup kind, each image getting its own records', async () => {
    const source = new CachedMetadataSource({ store });
    const pod = [0, 1, 2, 4, 6, 7, 8, 9, 10, 11].map(image);
    const answers = await review(source, pod);
    expect(front.filters).toHaveLength(2);
    for (const filter of front.filters) for (const url of pod) expect(filter).toContain(`"${url}"`);
    for (const { url, attestations, findings } of answers) {
      expect(attestations.status === 'fulfilled' && attestations.value).toMatchObject([
        { signature: { form: 'generic', signatures: [{ publicKeyId: `key of ${url}` }] } },
      ]);
      const n = pod.indexOf(url);
      expect(findings.status === 'fulfilled' && findings.value.map((f) => f.cveId)).toEqual([
        `CVE-${[0, 1, 2, 4, 6, 7, 8, 9, 10, 11][n]}`,
      ]);
    }
    // Cached: the same review again reads nothing.
    await review(source, pod);
    expect(front.filters).toHaveLength(2);
  });

  it('splits a review of 40 images into chunks whose filters stay under 4,000 characters', async () => {
    const source = new CachedMetadataSource({ store });
    const answers = await review(
      source,
      images.filter((url) => url !== REFUSED),
    );
    // 39 images of ~240 filter characters each: 3 chunks per lookup kind.
    expect(front.filters).toHaveLength(6);
    for (const filter of front.filters) expect(filter.length).toBeLessThanOrEqual(4_000);
    const unread = answers.filter(
      (a) => a.attestations.status === 'rejected' || a.findings.status === 'rejected',
    );
    expect(unread).toEqual([]);
  });

  it('fails exactly the images of a chunk the store refuses, and no other', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const source = new CachedMetadataSource({ store, metrics });
    const answers = await review(source, images);
    const refusedFilters = front.filters.filter((f) => f.includes(REFUSED));
    expect(refusedFilters).toHaveLength(2);
    const inRefusedChunk = new Set(images.filter((url) => refusedFilters[0]?.includes(`"${url}"`)));
    expect(inRefusedChunk.size).toBeGreaterThan(1);
    expect(inRefusedChunk.size).toBeLessThan(images.length);
    for (const { url, attestations, findings } of answers) {
      const refused = inRefusedChunk.has(url);
      expect(attestations.status).toBe(refused ? 'rejected' : 'fulfilled');
      expect(findings.status).toBe(refused ? 'rejected' : 'fulfilled');
      if (refused && attestations.status === 'rejected') expect(String(attestations.reason)).toContain('403');
    }
    // One failed call per lookup kind: the refused chunk, counted once however many images it covered.
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'signet_metadata_backend_errors_total')).toBe(2);
    expect(metricValue(text, 'signet_metadata_backend_calls_total')).toBe(2);
  });

  it('turns an unreadable record into a finding of its own image only', async () => {
    const source = new CachedMetadataSource({ store });
    const pod = [4, 5, 6, 7].map(image);
    const answers = await review(source, pod);
    expect(front.filters).toHaveLength(2);
    for (const { url, findings } of answers) {
      expect(findings.status).toBe('fulfilled');
      const unreadable = findings.status === 'fulfilled' ? findings.value.filter((f) => f.unreadable) : [];
      expect(unreadable).toHaveLength(url === UNREADABLE ? 1 : 0);
    }
  });
});
