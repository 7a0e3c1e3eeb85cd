/**
 * `pnpm --filter @signet/webhook bench:google`: how should the webhook read the images of one review
 * from Container Analysis? The emulator's Google flavour (googleapis v1, filters applied) over a project
 * of BENCH_GOOGLE_SIZES occurrences (default 1000,10000), a Pod of 10 signed images; three ways to make
 * the two lookups per image (attestations on the authority's note, the image's occurrences in its
 * project), interleaved in the same run: one call after the other (20 calls), all 20 calls at once, and
 * one `OR`-filtered query per lookup kind (2 calls, the store's batched reads). Medians and p90 of
 * BENCH_GOOGLE_ROUNDS rounds (default 60), and ratios against the batched reads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageBatchReads, type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { createEmulatorApp } from '@signet/grafeas-emulator';
import { GUIDE, NOTE_NAME, signImage } from '@signet/guide-world';
import { generatePgpKey } from '@signet/signing';
import { crowd } from './crowd.js';

const SIZES = (process.env.BENCH_GOOGLE_SIZES ?? '1000,10000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_GOOGLE_ROUNDS ?? 60);
const IMAGES = Array.from(
  { length: 10 },
  (_, i) => `registry.example/google/app${i}@sha256:${(0xdef000 + i).toString(16).padStart(64, '0')}`,
);
const URLS = IMAGES.map((image) => `https://${image}`);

type Way = 'one after the other' | 'concurrent' | 'batched';
const WAYS: Record<Way, (store: MetadataStore & ImageBatchReads) => Promise<number>> = {
  'one after the other': async (store) => {
    let found = 0;
    for (const url of URLS) {
      found += (await store.listNoteOccurrences(NOTE_NAME, url)).items.length;
      found += (await store.listImageOccurrences(GUIDE.project, url)).vulnerabilities.length;
    }
    return found;
  },
  concurrent: async (store) => {
    const answers = await Promise.all(
      URLS.flatMap((url) => [
        store.listNoteOccurrences(NOTE_NAME, url).then((l) => l.items.length),
        store.listImageOccurrences(GUIDE.project, url).then((l) => l.vulnerabilities.length),
      ]),
    );
    return answers.reduce((a, b) => a + b, 0);
  },
  batched: async (store) => {
    const [notes, images] = await Promise.all([
      store.listNoteOccurrencesOfImages(NOTE_NAME, URLS),
      store.listImageOccurrencesOfImages(GUIDE.project, URLS),
    ]);
    let found = 0;
    for (const share of notes.values()) found += share.ok ? share.value.items.length : Number.NaN;
    for (const share of images.values()) found += share.ok ? share.value.vulnerabilities.length : Number.NaN;
    return found;
  },
};

async function serveEmulator(file: string) {
  const store = new SqliteMetadataStore(file);
  const app = createEmulatorApp({ store, flavor: 'google' });
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function measure(size: number, key: { privateKey: string; fingerprint: string }, work: string) {
  const file = join(work, `google-${size}.db`);
  const fixture = new SqliteMetadataStore(file);
  fixture.insertNote(GUIDE.project, GUIDE.attestor, { kind: 'ATTESTATION' });
  for (const image of IMAGES) await signImage(fixture, image, key.privateKey, key.fingerprint);
  for (let from = 0; from < size; from += 50_000)
    fixture.insertOccurrences(GUIDE.project, crowd(from, Math.min(size, from + 50_000)), false);
  await fixture.close();
  const emulator = await serveEmulator(file);
  const store = (await openMetadataStore(`containeranalysis:${emulator.url}`, {
    api: 'v1',
  })) as MetadataStore & ImageBatchReads;
  const times = new Map<Way, number[]>(Object.keys(WAYS).map((way) => [way as Way, []]));
  const calls = new Map<Way, number>();
  const found = new Map<Way, number>();
  for (const way of Object.keys(WAYS) as Way[]) await WAYS[way](store); // warm the client and the emulator
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const way of Object.keys(WAYS) as Way[]) {
      const before = emulator.requests();
      const started = performance.now();
      found.set(way, await WAYS[way](store));
      times.get(way)?.push(performance.now() - started);
      calls.set(way, emulator.requests() - before);
    }
  }
  await store.close();
  await emulator.close();
  const batched = [...(times.get('batched') ?? [])].sort((a, b) => a - b);
  for (const [way, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `| ${size} | ${way} | ${calls.get(way)} | ${quantile(sorted, 0.5).toFixed(1)} ms | ${quantile(sorted, 0.9).toFixed(1)} ms | ${(quantile(sorted, 0.5) / quantile(batched, 0.5)).toFixed(2)}× | ${found.get(way)} |`,
    );
  }
}

const work = await mkdtemp(join(tmpdir(), 'signet-bench-google-'));
try {
  const key = await generatePgpKey({ name: 'Bench', email: 'bench@example.com' });
  console.log(`\nA Pod of 10 signed images, 2 lookups each, ${ROUNDS} rounds per way, interleaved:\n`);
  console.log('| occurrences | way | calls | median | p90 | × batched | found |');
  console.log('|---|---|---|---|---|---|---|');
  for (const size of SIZES) await measure(size, key, work);
} finally {
  await rm(work, { recursive: true, force: true });
}
