/**
 * `pnpm bench:resolve`: POST /mutate against Debian's docker-registry on loopback (plain HTTP), behind
 * a counting proxy, the webhook in its own process (the built dist/, as deployed).
 *
 * - Bare: the registry's own HEAD of a manifest, in series (the floor of one resolution).
 * - Cold: N concurrent reviews naming new tags (1 or 10 distinct): the registry round trips per
 *   distinct tag (counted at the proxy; the goal is exactly one), and the batch's wall time.
 * - Cached: p50/p99 of /mutate for a Pod whose tag is cached beside /mutate of an already-pinned Pod
 *   (no resolution at all), interleaved, a few requests in flight; the goal is < 1 ms added at p99.
 *
 * Prints figures and ratios; asserts nothing about timings. BENCH_RESOLVE_REVIEWS (N, default 100),
 * BENCH_RESOLVE_SAMPLES (cached requests per kind, default 4000).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@signet/grafeas-emulator';
import { GUIDE, generateSelfSignedCert, podReview, prepareGuide } from '@signet/guide-world';
import {
  type LoopbackServer,
  makeLayout,
  push,
  type RunningRegistry,
  startCountingProxy,
  startRegistry,
} from '@signet/registry/test-support';
import { call } from './http.js';

const here = dirname(fileURLToPath(import.meta.url));
const REVIEWS = Number(process.env.BENCH_RESOLVE_REVIEWS ?? 100);
const SAMPLES = Number(process.env.BENCH_RESOLVE_SAMPLES ?? 4000);
const IN_FLIGHT = 4;
const MANIFEST_TYPES =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

const webhookAgent = new Agent({ keepAlive: true, maxSockets: 200, rejectUnauthorized: false });
const registryAgent = new HttpAgent({ keepAlive: true, maxSockets: 1 });

interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function startWebhookChild(args: string[]): Promise<Child> {
  const child = fork(join(here, 'server-child.ts'), ['signet', ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`webhook exited with ${code}`)));
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

/** One HTTP request to the registry: [status, headers, body]. */
function registryCall(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: registryAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Tags the pushed manifest again under `tag` (a PUT of the same bytes): a new tag, the same digest. */
async function tag(registry: RunningRegistry, manifest: { body: Buffer; type: string }, name: string) {
  const put = await registryCall(
    `http://${registry.host}/v2/app/manifests/${name}`,
    'PUT',
    { 'content-type': manifest.type },
    manifest.body,
  );
  if (put.status !== 201) throw new Error(`tagging ${name}: HTTP ${put.status} ${put.body.toString()}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function ms(value: number): string {
  return value.toFixed(3).padStart(9);
}

async function mutate(child: Child, body: string): Promise<{ allowed: boolean; patch?: string }> {
  const answer = await call(`${child.url}/mutate?timeout=10s`, 'POST', body, webhookAgent);
  return (JSON.parse(answer.text) as { response: { allowed: boolean; patch?: string } }).response;
}

function manifestRequests(proxy: LoopbackServer, from: number): number {
  return proxy.seen.slice(from).filter((r) => r.path.includes('/manifests/')).length;
}

async function bareHead(registry: RunningRegistry): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < 500; i += 1) {
    const started = performance.now();
    const head = await registryCall(`http://${registry.host}/v2/app/manifests/v1`, 'HEAD', {
      accept: MANIFEST_TYPES,
    });
    if (head.status !== 200) throw new Error(`HEAD: HTTP ${head.status}`);
    samples.push(performance.now() - started);
  }
  return summary(samples);
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'signet-bench-resolve-'));
  let registry: RunningRegistry | undefined;
  let proxy: LoopbackServer | undefined;
  let child: Child | undefined;
  try {
    registry = await startRegistry(join(work, 'registry'), { kind: 'anonymous' });
    const layout = await makeLayout(work);
    await push(layout, 'single', `${registry.host}/app:v1`);
    const got = await registryCall(`http://${registry.host}/v2/app/manifests/v1`, 'GET', {
      accept: MANIFEST_TYPES,
    });
    const manifest = { body: got.body, type: String(got.headers['content-type']) };
    const digest = String(got.headers['docker-content-digest']);
    proxy = await startCountingProxy(registry.port);
    const host = `127.0.0.1:${proxy.port}`;

    const guide = await prepareGuide(work, startEmulator);
    const cert = await generateSelfSignedCert(work);
    child = await startWebhookChild([
      cert.certFile,
      cert.keyFile,
      guide.policyDir,
      guide.storeUrl,
      GUIDE.project,
      host,
    ]);

    const head = await bareHead(registry);
    console.log(
      `\nThe registry's bare HEAD of a manifest (in series, keep-alive): p50 ${ms(head.p50)} ms, p99 ${ms(head.p99)} ms`,
    );

    console.log(`\nCold: ${REVIEWS} concurrent POST /mutate reviews naming new tags`);
    console.log(
      `${'distinct tags'.padEnd(15)}${'registry requests'.padStart(19)}${'per tag'.padStart(9)}${'wall ms'.padStart(10)}${'× bare HEAD p50'.padStart(17)}`,
    );
    for (const distinct of [1, 10]) {
      const names = Array.from({ length: distinct }, (_, i) => `cold-${distinct}-${i}`);
      for (const name of names) await tag(registry, manifest, name);
      const bodies = Array.from({ length: REVIEWS }, (_, i) =>
        JSON.stringify(podReview({ name: `cold-${i}`, images: [`${host}/app:${names[i % distinct]}`] })),
      );
      const before = proxy.seen.length;
      const started = performance.now();
      const answers = await Promise.all(bodies.map((body) => mutate(child as Child, body)));
      const wall = performance.now() - started;
      const denied = answers.filter((a) => !a.allowed || !a.patch).length;
      if (denied > 0) throw new Error(`${denied} cold reviews were not pinned`);
      const requests = manifestRequests(proxy, before);
      console.log(
        `${String(distinct).padEnd(15)}${String(requests).padStart(19)}${(requests / distinct).toFixed(2).padStart(9)}${wall.toFixed(1).padStart(10)}${(wall / head.p50).toFixed(1).padStart(17)}`,
      );
    }

    // Cached: the same tag, resolved once before; beside an already-pinned image (no resolution).
    const tagged = JSON.stringify(podReview({ name: 'cached', images: [`${host}/app:v1`] }));
    const pinned = JSON.stringify(podReview({ name: 'pinned', images: [`${host}/app@${digest}`] }));
    const first = await mutate(child, tagged);
    if (!first.patch) throw new Error('the tagged Pod was not pinned');
    for (let i = 0; i < 500; i += 1) await Promise.all([mutate(child, tagged), mutate(child, pinned)]); // warm-up
    const times = { tagged: [] as number[], pinned: [] as number[] };
    const before = proxy.seen.length;
    let next = 0;
    const worker = async () => {
      while (next < SAMPLES * 2) {
        const n = next++;
        const kind = n % 2 === 0 ? 'tagged' : 'pinned';
        const started = performance.now();
        await mutate(child as Child, kind === 'tagged' ? tagged : pinned);
        times[kind].push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const withTag = summary(times.tagged);
    const withDigest = summary(times.pinned);
    console.log(
      `\nCached: POST /mutate, ${SAMPLES} reviews each, interleaved, ${IN_FLIGHT} in flight, TLS keep-alive (ms)`,
    );
    console.log(`${'review'.padEnd(36)}${'p50'.padStart(9)}${'p99'.padStart(9)}`);
    console.log(`${'already pinned (no resolution)'.padEnd(36)}${ms(withDigest.p50)}${ms(withDigest.p99)}`);
    console.log(`${'a tag, resolved from the cache'.padEnd(36)}${ms(withTag.p50)}${ms(withTag.p99)}`);
    console.log(
      `added by a cached resolution: p50 ${ms(withTag.p50 - withDigest.p50)} ms, p99 ${ms(withTag.p99 - withDigest.p99)} ms (goal < 1 ms); ratio p99 ${(withTag.p99 / withDigest.p99).toFixed(2)}; registry requests meanwhile: ${manifestRequests(proxy, before)} (one per --resolve-ttl)`,
    );
    await guide.close();
  } finally {
    await child?.stop();
    await proxy?.stop();
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
