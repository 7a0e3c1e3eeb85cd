/**
 * `pnpm bench:cosign`: does a decision with a cosign authority cost more than one with a Grafeas
 * authority? The same run, the same machine, one webhook process per case (the built dist/, TLS on
 * loopback, the decision memo off so that every review decides):
 *
 * - grafeas: the guide's policies (a PGP AttestationAuthority on a note), the image signed in the
 *   emulator;
 * - cosign: the same policies with a cosign-only AttestationAuthority (testdata/cosign's P-256 key)
 *   instead, the image pushed to Debian's docker-registry on loopback (behind a counting proxy) and
 *   signed there in cosign 2.x layout; the webhook reads it with `--insecure-registry`.
 *
 * As a user meets it: /readyz, then the first (cold) decision, then warm load with autocannon (a short
 * warm-up for the JIT, then the measured run): req/s, p50/p99, server CPU per review, and the registry
 * and store requests made meanwhile (the caches should make them ~0 within --resolve-ttl/--cache-ttl).
 * The cases take turns, BENCH_ROUNDS times (default 2); the table keeps each case's best round.
 * BENCH_DURATION (s, default 10); BENCH_CPU_PROF=DIR profiles the webhook children.
 *
 * Prints figures and ratios; asserts nothing about timings. Exits non-zero on a wrong answer only.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@signet/grafeas-emulator';
import { GUIDE, generateSelfSignedCert, podReview, prepareGuide } from '@signet/guide-world';
import { createRegistryClient } from '@signet/registry';
import {
  type LoopbackServer,
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startCountingProxy,
  startRegistry,
} from '@signet/registry/test-support';
import { makeCosignSignatureLayer, readCosignPrivateKey } from '@signet/signing/cosign';
import autocannon from 'autocannon';
import { call } from './http.js';

const here = dirname(fileURLToPath(import.meta.url));
const KEYS = join(process.env.SIGNET_TESTDATA ?? join(here, '../../../testdata'), 'cosign', 'keys');
const KEY_PASSWORD = 'signet-test-vectors'; // testdata/cosign/README.md
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARM_UP_S = 3;
const CONNECTIONS = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

interface Child {
  url: string;
  process: ChildProcess;
  stats(): Promise<{ cpuMicros?: number }>;
  stop(): Promise<void>;
}

interface Case {
  name: 'grafeas' | 'cosign';
  policyDir: string;
  image: string;
}

interface Row {
  name: string;
  round: number;
  /** /validate of the first review after /readyz, on an open connection. */
  coldMs: number;
  coldRegistryRequests: number;
  rps: number;
  p50: number;
  p99: number;
  cpuMicros: number;
  reviews: number;
  registryRequests: number;
  storeCalls: number;
}

async function startChild(args: string[]): Promise<Child> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = fork(join(here, 'server-child.ts'), ['signet-no-memo', ...args], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`webhook exited with ${code}`)));
  });
  return {
    url,
    process: child,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (message: { cpuMicros?: number }) => resolve(message));
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').pop());
  }
  return total;
}

/** The image pushed with skopeo, then signed as `cosign sign --key` does, through the proxy's name. */
async function signedInRegistry(work: string, registry: RunningRegistry, host: string): Promise<string> {
  await push(await makeLayout(work), 'single', `${registry.host}/bench/app:v1`);
  const digest = (await skopeoDigests(`${registry.host}/bench/app:v1`)).raw;
  const name = `${host}/bench/app`;
  const key = readCosignPrivateKey(readFileSync(join(KEYS, 'ecdsa-p256.key'), 'utf8'), KEY_PASSWORD);
  const layer = makeCosignSignatureLayer(key, { name, digest });
  await createRegistryClient({ insecureRegistries: [host] }).attachCosignSignature(`${name}@${digest}`, {
    layer,
  });
  return `${name}@${digest}`;
}

/** The guide's policies with a cosign-only authority in place of the PGP one (its ImageSecurityPolicy kept). */
async function cosignPolicies(work: string, guidePolicies: string): Promise<string> {
  const dir = join(work, 'cosign-policies');
  await mkdir(dir, { recursive: true });
  const key = readFileSync(join(KEYS, 'ecdsa-p256.pub')).toString('base64');
  const kritis = (kind: string, name: string, spec: string) =>
    `apiVersion: kritis.grafeas.io/v1beta1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
  await writeFile(
    join(dir, 'attestation-authority.yaml'),
    kritis('AttestationAuthority', 'build', `  cosign:\n    publicKeyData: ${key}\n`),
  );
  await writeFile(
    join(dir, 'generic-attestation-policy.yaml'),
    kritis('GenericAttestationPolicy', 'require-build', '  attestationAuthorityNames:\n  - build\n'),
  );
  const vulnerabilities = await readFile(join(guidePolicies, 'image-security-policy.yaml'));
  await writeFile(join(dir, 'image-security-policy.yaml'), vulnerabilities);
  return dir;
}

async function validate(url: string, body: string, agent: Agent): Promise<boolean> {
  const answer = await call(`${url}/validate?timeout=10s`, 'POST', body, agent);
  return (JSON.parse(answer.text) as { response?: { allowed?: boolean } }).response?.allowed === true;
}

async function untilReady(url: string, agent: Agent): Promise<void> {
  for (;;) {
    if ((await call(`${url}/readyz`, 'GET', undefined, agent)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function measure(item: Case, round: number, args: string[], proxy: LoopbackServer): Promise<Row> {
  const child = await startChild(args);
  // One connection for /readyz and the cold review: its TLS handshake is not part of the decision.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  try {
    const body = JSON.stringify(podReview({ name: 'web', images: [item.image] }));
    await untilReady(child.url, agent);
    const coldFrom = proxy.seen.length;
    const started = performance.now();
    const allowed = await validate(child.url, body, agent);
    const coldMs = performance.now() - started;
    if (!allowed) throw new Error(`${item.name}: the signed image ${item.image} was denied`);
    const coldRegistryRequests = proxy.seen.length - coldFrom;

    const options = {
      url: `${child.url}/validate?timeout=10s`,
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      connections: CONNECTIONS,
    };
    await autocannon({ ...options, duration: WARM_UP_S }); // the JIT and the server's TLS sessions
    const metricsBefore = (await call(`${child.url}/metrics`, 'GET', undefined, agent)).text;
    const before = await child.stats();
    const from = proxy.seen.length;
    const result = await autocannon({ ...options, duration: DURATION_S });
    const registryRequests = proxy.seen.length - from;
    const after = await child.stats();
    const metricsAfter = (await call(`${child.url}/metrics`, 'GET', undefined, agent)).text;
    const delta = (name: string, labels: Record<string, string> = {}) =>
      metric(metricsAfter, name, labels) - metric(metricsBefore, name, labels);
    const denied = delta('signet_admission_decisions_total', { decision: 'deny' });
    const admitted = delta('signet_admission_decisions_total', { decision: 'allow', reason: 'policy' });
    const failed = result.errors + result.timeouts + result.non2xx;
    if (denied > 0 || failed > 0 || admitted < result.requests.total) {
      throw new Error(
        `${item.name}: under load ${denied} reviews denied, ${failed} failed, ${admitted} of ${result.requests.total} admitted by policy`,
      );
    }
    return {
      name: item.name,
      round,
      coldMs,
      coldRegistryRequests,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuMicros: ((after.cpuMicros ?? 0) - (before.cpuMicros ?? 0)) / Math.max(1, result.requests.total),
      reviews: result.requests.total,
      registryRequests,
      storeCalls: delta('signet_metadata_backend_calls_total'),
    };
  } finally {
    agent.destroy();
    await child.stop();
  }
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

function print(rows: Row[], title: string): void {
  console.log(title);
  console.log(
    `${'case'.padEnd(9)}${pad('round', 6)}${pad('cold ms', 9)}${pad('cold reg', 9)}${pad('req/s', 8)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}` +
      `${pad('cpu µs/rev', 11)}${pad('reviews', 9)}${pad('registry req', 13)}${pad('per review', 11)}${pad('store calls', 12)}`,
  );
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(9)}${pad(row.round, 6)}${pad(row.coldMs.toFixed(1), 9)}${pad(row.coldRegistryRequests, 9)}${pad(Math.round(row.rps), 8)}` +
        `${pad(row.p50, 8)}${pad(row.p99, 8)}${pad(row.cpuMicros.toFixed(0), 11)}${pad(row.reviews, 9)}` +
        `${pad(row.registryRequests, 13)}${pad((row.registryRequests / Math.max(1, row.reviews)).toFixed(5), 11)}${pad(row.storeCalls, 12)}`,
    );
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'signet-bench-cosign-'));
  let registry: RunningRegistry | undefined;
  let proxy: LoopbackServer | undefined;
  const guide = await prepareGuide(work, startEmulator);
  try {
    registry = await startRegistry(join(work, 'registry'), { kind: 'anonymous' });
    proxy = await startCountingProxy(registry.port);
    const host = `127.0.0.1:${proxy.port}`;
    const cosignImage = await signedInRegistry(work, registry, host);
    const cases: Case[] = [
      { name: 'grafeas', policyDir: guide.policyDir, image: GUIDE.images.signed },
      { name: 'cosign', policyDir: await cosignPolicies(work, guide.policyDir), image: cosignImage },
    ];
    const cert = await generateSelfSignedCert(work);
    const rows: Row[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const item of cases) {
        const args = [cert.certFile, cert.keyFile, item.policyDir, guide.storeUrl, GUIDE.project, host];
        rows.push(await measure(item, round, args, proxy));
      }
    }
    print(
      rows,
      `\nPOST /validate (a signed Pod), TLS, decision memo off; warm: ${CONNECTIONS} connections, ${WARM_UP_S}s warm-up then ${DURATION_S}s, ${ROUNDS} rounds (cases take turns)`,
    );
    const best = (name: string) =>
      rows.filter((r) => r.name === name).reduce((a, b) => (b.rps > a.rps ? b : a));
    const grafeas = best('grafeas');
    const cosign = best('cosign');
    const coldest = (name: string) => Math.min(...rows.filter((r) => r.name === name).map((r) => r.coldMs));
    console.log(
      `\ncosign / grafeas (best round by req/s; cold: fastest round): req/s ${(cosign.rps / grafeas.rps).toFixed(2)}, ` +
        `p50 ${(cosign.p50 / Math.max(1, grafeas.p50)).toFixed(2)}, p99 ${(cosign.p99 / Math.max(1, grafeas.p99)).toFixed(2)}, ` +
        `cpu/review ${(cosign.cpuMicros / grafeas.cpuMicros).toFixed(2)}, cold ${(coldest('cosign') / coldest('grafeas')).toFixed(2)}`,
    );
    console.log(
      '(cold reg: registry requests of the first decision; registry req / store calls: during the measured warm run)',
    );
  } finally {
    await proxy?.stop();
    await registry?.stop();
    await guide.close();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
