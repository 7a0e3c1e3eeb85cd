/**
 * What a tag resolution costs: a cached one, a cold one (HEAD through the client: parse, credentials,
 * cache, request), and the registry's bare HEAD (one raw node:http request), in the same run against
 * Debian's docker-registry on loopback; then a burst of concurrent cold resolutions of one tag, counted
 * by a proxy. Run: `pnpm --filter @signet/registry bench` (needs docker-registry, umoci and skopeo).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistryClient } from '../src/client.js';
import { ACCEPT_HEADER } from '../src/manifest.js';
import { makeLayout, push } from '../src/test-support/images.js';
import { startCountingProxy } from '../src/test-support/loopback-server.js';
import { startRegistry } from '../src/test-support/registry-server.js';

const ROUNDS = 400;
const BURST = 200;

/** Each call's duration in ms, after a warm-up of a tenth as many. */
async function durations(op: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < ROUNDS / 10; i++) await op();
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await op();
    out.push(performance.now() - start);
  }
  return out.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function bareHead(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'HEAD',
        path: '/v2/app/manifests/v1',
        headers: { accept: ACCEPT_HEADER },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HEAD ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'signet-registry-bench-'));
const registry = await startRegistry(join(dir, 'registry'), { kind: 'anonymous' });
try {
  const layout = await makeLayout(dir);
  await push(layout, 'multi', `${registry.host}/app:v1`, { all: true });
  const image = `${registry.host}/app:v1`;
  const warm = createRegistryClient({ insecureRegistries: [registry.host] });
  const cold = createRegistryClient({ insecureRegistries: [registry.host], ttlMs: 0 });
  await warm.resolve(image);

  const rows = [
    ['registry bare HEAD', await durations(() => bareHead(registry.port))],
    ['cold resolution', await durations(() => cold.resolve(image))],
    ['cached resolution', await durations(() => warm.resolve(image))],
  ] as const;
  const bare = rows[0][1];
  console.log(`${ROUNDS} sequential calls each, loopback docker-registry ${registry.host}, multi-arch index`);
  for (const [name, sorted] of rows) {
    const p50 = quantile(sorted, 0.5);
    const p99 = quantile(sorted, 0.99);
    const ratio = `${(p50 / quantile(bare, 0.5)).toFixed(3)}× bare HEAD (p50)`;
    console.log(`  ${name.padEnd(20)} p50 ${p50.toFixed(3)} ms  p99 ${p99.toFixed(3)} ms  ${ratio}`);
  }

  const proxy = await startCountingProxy(registry.port);
  const proxied = `127.0.0.1:${proxy.port}`;
  const burstClient = createRegistryClient({ insecureRegistries: [proxied] });
  const start = performance.now();
  await Promise.all(Array.from({ length: BURST }, () => burstClient.resolve(`${proxied}/app:v1`)));
  const elapsed = performance.now() - start;
  const trips = proxy.seen.filter((r) => r.path.includes('/manifests/')).length;
  console.log(
    `  ${BURST} concurrent cold resolutions of one tag: ${trips} registry round trip(s), ${elapsed.toFixed(1)} ms`,
  );
  await proxy.stop();
} finally {
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
}
