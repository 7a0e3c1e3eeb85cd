/**
 * `GRAFEAS_URL=http://host:port pnpm bench:scale`: the scale rows against a Grafeas server the user
 * started (e.g. upstream grafeas/grafeas v0.1.0 with its memstore). The bench cannot reset someone
 * else's server, so the project is grown in place through the server's own API (batchCreate, 1,000 at a
 * time): 1k, then 10k, then 100k; and it refuses a project that already holds occurrences.
 * The webhook talks to it through a counting proxy in this process, so "calls/decision" means the same
 * as for the emulator.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { GUIDE } from '@signet/guide-world';
import { crowd } from './crowd.js';

const BATCH = 1_000;

export interface RealGrafeas {
  /** The counting proxy's URL: what the webhook is given. */
  url: string;
  store: MetadataStore;
  requests(): number;
  /** Adds crowd occurrences until the project holds `size` of them (never shrinks). */
  growTo(size: number): Promise<void>;
  close(): Promise<void>;
}

export async function connectRealGrafeas(target: string): Promise<RealGrafeas> {
  const base = new URL(target);
  if (base.protocol !== 'http:') throw new Error(`GRAFEAS_URL must be an http:// URL (got ${target})`);
  const store = await openMetadataStore(`grafeas:${target}`, { api: 'v1beta1' });
  const existing = await store.listOccurrences(GUIDE.project);
  if (existing.items.length > 0)
    throw new Error(
      `GRAFEAS_URL: project ${GUIDE.project} on ${target} already holds occurrences; the bench grows it from empty, so start a fresh server (memstore)`,
    );
  let filled = 0;
  let requests = 0;
  const proxy: Server = createServer((req, res) => {
    requests += 1;
    const upstream = request(
      { host: base.hostname, port: base.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502).end(`proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    store,
    requests: () => requests,
    async growTo(size) {
      const started = performance.now();
      for (let from = filled; from < size; from += BATCH) {
        await store.batchCreateOccurrences(GUIDE.project, crowd(from, Math.min(size, from + BATCH)));
      }
      if (size > filled)
        console.error(
          `GRAFEAS_URL: grew ${GUIDE.project} to ${size} occurrences in ${((performance.now() - started) / 1000).toFixed(1)}s`,
        );
      filled = Math.max(filled, size);
    },
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await store.close();
    },
  };
}
