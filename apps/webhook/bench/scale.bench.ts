/**
 * `pnpm --filter @signet/webhook bench:scale`: does a decision cost more when the project is larger?
 * Projects of 1k, 10k and 100k occurrences (half attestations on the attestor's note, half
 * vulnerabilities, all for other images), plus 1M on the embedded store; backends: the embedded SQLite
 * store, the emulator's Google flavour over googleapis v1 (filters applied), and its open-source flavour
 * through `grafeas:` (filters ignored: the webhook's index). For each: time to ready, the cold first
 * decision of a Pod with 10 distinct signed images, warm decisions per second, RSS, and backend calls
 * per decision; ratios against the 1k project of the same backend, in the same run.
 *
 * The fixtures are written straight into SQLite (one transaction per 50k occurrences): a million
 * occurrences through the API would take longer than the bench itself. Everything the webhook reads
 * goes through its real path (SQLite queries, or HTTP to the emulator).
 * The emulator runs in its own process (bench/emulator-child.ts), as a real server does: in the bench's
 * process its synchronous SQLite and JSON work (the index re-reading a 100k project, 100 pages) starved
 * autocannon and the timers there (warm/s and the miss measured the bench, not the webhook).
 * The webhook runs with the V8 heap limit of deploy/deployment.yaml (its NODE_OPTIONS), as deployed:
 * without one V8 sizes its heap from the host's memory and keeps what a fill left, whatever is live.
 * Beside the first Pod (10 clean signed images): a miss (the best of three unsigned images of the same
 * registry, each denied), and a late signature (an image signed after ready, polled until admitted: the
 * time from the signature to the first admission). The OSS flavour runs in two index states: `named`
 * (the project given with --project, filled before ready) and `learned` (no --project: the index learns
 * the project from the first Pod: its first answer may be a warming denial, in time, and the row says
 * when a controller retrying it every 250 ms sees it admitted). Decisions are asked with the API server's default `?timeout=10s`.
 * BENCH_SCALE_BURNERS=1 adds a row of the OSS flavour at the largest size under two CPU
 * burners (`node -e 'for(;;){}'`, as scripts/check-under-load.sh starts them; killed afterwards).
 * Environment: BENCH_SCALE_HEAP_MB (another limit; 0 = V8's default), BENCH_SCALE_SIZES (default 1000,10000,100000,1000000), BENCH_SCALE_BACKENDS (any of
 * sqlite,google,oss; default all three), BENCH_SCALE_WARM_S (default 15). Ratios are against the
 * smallest size measured, so keep 1000 in the sizes to read them as "× 1k".
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetadataStore } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { GUIDE, podReview, signImage, writeGuidePolicies } from '@signet/guide-world';
import { generatePgpKey } from '@signet/signing';
import autocannon from 'autocannon';
import { crowd } from './crowd.js';
import { call } from './http.js';
import { connectRealGrafeas, type RealGrafeas } from './real-grafeas.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number);
/**
 * Warm decisions per second over 15 s: a background cycle of the index at 100k (a note's read, then a
 * pause of two reads) takes about 10 s, and a shorter run measures whichever phase of it it lands on.
 */
const WARM_S = Number(process.env.BENCH_SCALE_WARM_S ?? 15);
const ONLY_SQLITE_ABOVE = 100_000;
/** Three Pods of 10 distinct signed images: the first decision, then two more with nothing cached. */
const PODS = Array.from({ length: 3 }, (_, pod) =>
  Array.from(
    { length: 10 },
    (_, i) =>
      `gcr.io/${GUIDE.project}/scale/app${pod}-${i}@sha256:${(0xabc000 + pod * 16 + i).toString(16).padStart(64, '0')}`,
  ),
);

type Backend = 'sqlite' | 'google (googleapis v1)' | 'oss (grafeas:, indexed)' | 'grafeas (GRAFEAS_URL)';
const ALL_BACKENDS: Record<string, Backend> = {
  sqlite: 'sqlite',
  google: 'google (googleapis v1)',
  oss: 'oss (grafeas:, indexed)',
  grafeas: 'grafeas (GRAFEAS_URL)',
};
const GRAFEAS_URL = process.env.GRAFEAS_URL;
const BACKENDS: Backend[] = (
  process.env.BENCH_SCALE_BACKENDS ?? (GRAFEAS_URL ? 'oss,grafeas' : 'sqlite,google,oss')
)
  .split(',')
  .map((name) => {
    const backend = ALL_BACKENDS[name.trim()];
    if (!backend)
      throw new Error(`BENCH_SCALE_BACKENDS: unknown backend "${name}" (sqlite, google, oss, grafeas)`);
    if (backend === ALL_BACKENDS.grafeas && !GRAFEAS_URL)
      throw new Error(
        'BENCH_SCALE_BACKENDS: grafeas needs GRAFEAS_URL=http://host:port (a server you started)',
      );
    return backend;
  });
/** Both flavours of the open-source server: read through `grafeas:` and the webhook's index. */
const isOss = (backend: Backend) => backend.startsWith('oss') || backend.startsWith('grafeas');

/** How the webhook learns the project: named with --project, or from the first Pod. */
type IndexState = 'named' | 'learned';

interface Row {
  backend: Backend;
  size: number;
  state: IndexState;
  /** Measured under two CPU burners. */
  burners: boolean;
  /** A Pod of one unsigned image: denied. */
  missMs: number;
  missDenied: boolean;
  /** From writing a new image's signature to its first admission (polled every POLL_MS). */
  lateMs: number;
  readyMs: number;
  /** The first Pod's first answer: an admission, or (learned) a warming denial in time. */
  coldMs: number;
  /** From the first Pod's first review to its admission, retried every POLL_MS as a controller would. */
  admittedMs: number;
  /** Best of two more Pods of new images: caches empty, process warmed up (less noise). */
  nextColdMs: number;
  warmPerSecond: number;
  rssMb: number;
  peakRssMb: number;
  heapMb: number;
  callsPerDecision: number;
  allowed: boolean;
}

/** A SQLite file of `size` occurrences, grown from the previous size's file. */
async function buildFixtures(work: string, key: { privateKey: string; fingerprint: string }) {
  const files = new Map<number, string>();
  let previous: { size: number; file: string } | undefined;
  for (const size of [...SIZES].sort((a, b) => a - b)) {
    const file = join(work, `project-${size}.db`);
    const started = performance.now();
    if (previous) await copyFile(previous.file, file);
    const store = new SqliteMetadataStore(file);
    if (!previous) {
      store.insertNote(GUIDE.project, GUIDE.attestor, { kind: 'ATTESTATION' });
      for (const image of PODS.flat()) await signImage(store, image, key.privateKey, key.fingerprint);
    }
    for (let from = previous?.size ?? 0; from < size; from += 50_000) {
      store.insertOccurrences(GUIDE.project, crowd(from, Math.min(size, from + 50_000)), false);
    }
    await store.close();
    console.error(`fixture: ${size} occurrences in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    files.set(size, file);
    previous = { size, file };
  }
  return files;
}

/** The emulator in its own process (bench/emulator-child.ts), counting the HTTP requests the webhook makes. */
async function serveEmulator(file: string, flavor: 'google' | 'oss') {
  const child = fork(join(here, 'emulator-child.ts'), [file, flavor], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  return {
    url,
    requests: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message: { requests: number }) => resolve(message.requests));
        child.send({ type: 'requests' });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

interface Child {
  url: string;
  process: ChildProcess;
  stats(): Promise<{ rss: number; peakRss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

/** The heap limit the deployment gives the webhook (MiB), or BENCH_SCALE_HEAP_MB; 0: none. */
async function heapLimitMb(): Promise<number> {
  if (process.env.BENCH_SCALE_HEAP_MB !== undefined) return Number(process.env.BENCH_SCALE_HEAP_MB);
  const manifest = await readFile(join(here, '../../../deploy/deployment.yaml'), 'utf8');
  const limit = /--max-old-space-size=(\d+)/.exec(manifest)?.[1];
  if (!limit) throw new Error('deploy/deployment.yaml sets no --max-old-space-size: set BENCH_SCALE_HEAP_MB');
  return Number(limit);
}

async function startChild(args: string[], heapMb: number): Promise<Child> {
  const heap = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
  const child = fork(join(here, 'scale-child.ts'), args, {
    execArgv: ['--import', 'tsx', '--expose-gc', ...heap],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`the webhook exited with ${code}`)));
  });
  return {
    url,
    process: child,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (message: { rss: number; peakRss: number; heapUsed: number }) =>
          resolve(message),
        );
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

async function untilReady(url: string): Promise<void> {
  for (;;) {
    if ((await call(`${url}/readyz`, 'GET')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const POLL_MS = 250;
/** The API server's default webhook timeout (timeoutSeconds: 10), sent as `?timeout=`. */
const TIMEOUT_S = 10;
/** A learned project's first Pod not admitted by then (retried every POLL_MS) is a wrong answer. */
const ADMIT_LIMIT_MS = 300_000;
/** A late signature not admitted by then is reported as such (the row's `late` column says `>`). */
const LATE_LIMIT_MS = 30_000;

interface Case {
  backend: Backend;
  size: number;
  state: IndexState;
  burners: boolean;
}

async function measure(
  { backend, size, state, burners }: Case,
  file: string,
  policyDir: string,
  heapMb: number,
  key: { privateKey: string; fingerprint: string },
  real: RealGrafeas | undefined,
): Promise<Row> {
  if (real) await real.growTo(size);
  const emulator =
    backend === 'sqlite'
      ? undefined
      : real
        ? { url: real.url, requests: async () => real.requests(), close: async () => {} }
        : await serveEmulator(file, backend.startsWith('oss') ? 'oss' : 'google');
  const burning = burners ? startBurners() : [];
  const storeArgs =
    backend === 'sqlite'
      ? [`sqlite:${file}`, 'v1']
      : isOss(backend)
        ? [`grafeas:${emulator?.url}`, 'v1beta1']
        : [`containeranalysis:${emulator?.url}`, 'v1'];
  const started = performance.now();
  const child = await startChild(
    [policyDir, storeArgs[0] as string, storeArgs[1] as string, state === 'named' ? GUIDE.project : ''],
    heapMb,
  );
  try {
    await untilReady(child.url);
    const readyMs = performance.now() - started;
    const decide = async (images: string[]): Promise<Answer> => {
      const started = performance.now();
      const answer = await call(`${child.url}/validate?timeout=${TIMEOUT_S}s`, 'POST', podBody(images));
      const ms = performance.now() - started;
      const { response } = JSON.parse(answer.text) as {
        response?: { allowed?: boolean; status?: { code?: number; message?: string } };
      };
      // As a user reads it: a 503 whose message says the index is warming (and when to retry).
      const warming = response?.status?.code === 503 && /is warming/.test(response.status.message ?? '');
      return { ms, allowed: response?.allowed === true, warming };
    };
    const requestsBefore = (await emulator?.requests()) ?? 0;
    const cold = await decide(PODS[0] as string[]);
    const admittedMs =
      cold.allowed || !(state === 'learned' && cold.warming)
        ? cold.ms
        : await untilAdmitted(decide, PODS[0] as string[], cold.ms);
    const metrics = (await call(`${child.url}/metrics`, 'GET')).text;
    const callsPerDecision = emulator
      ? (await emulator.requests()) - requestsBefore
      : metric(metrics, 'signet_metadata_backend_calls_total');
    const next = [await decide(PODS[1] as string[]), await decide(PODS[2] as string[])];
    // Three images, each asked once: a single sample of a few ms is mostly the scheduler's jitter.
    const misses = [await decide([unsigned(0)]), await decide([unsigned(1)]), await decide([unsigned(2)])];
    // Through the emulator's SQLite file, from this process: the emulator sees another connection's
    // writes (WAL; what it keeps from a scan is keyed on the file's data_version). A real server: its API.
    const lateMs = await lateSignature(decide, real?.store ?? file, key, `${backend}|${size}|${state}`);
    const body = podBody(PODS[0] as string[]);
    const warm = await autocannon({
      url: `${child.url}/validate?timeout=${TIMEOUT_S}s`,
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      connections: 8,
      duration: WARM_S,
    });
    const { rss, peakRss, heapUsed } = await child.stats();
    return {
      backend,
      size,
      state,
      burners,
      missMs: Math.min(...misses.map((miss) => miss.ms)),
      missDenied: misses.every((miss) => !miss.allowed),
      lateMs,
      readyMs,
      coldMs: cold.ms,
      admittedMs,
      nextColdMs: Math.min(...next.map((n) => n.ms)),
      warmPerSecond: warm.requests.average,
      rssMb: rss / 1024 / 1024,
      peakRssMb: peakRss / 1024 / 1024,
      heapMb: heapUsed / 1024 / 1024,
      callsPerDecision,
      allowed: Number.isFinite(admittedMs) && next.every((n) => n.allowed),
    };
  } finally {
    for (const burner of burning) burner.kill('SIGKILL');
    await child.stop();
    await emulator?.close();
  }
}

const unsigned = (n: number) => `gcr.io/${GUIDE.project}/scale/unsigned${n}@sha256:${'e'.repeat(64)}`;

interface Answer {
  ms: number;
  allowed: boolean;
  /** Denied in time because the image's project is still being read (INDEX_WARMING). */
  warming: boolean;
}

/** A project learned from its first Pod: retried until admitted; ms from the first review, or Infinity. */
async function untilAdmitted(
  decide: (images: string[]) => Promise<Answer>,
  images: string[],
  firstMs: number,
): Promise<number> {
  const started = performance.now() - firstMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const answer = await decide(images);
    if (answer.allowed) return performance.now() - started;
    if (!answer.warming || performance.now() - started > ADMIT_LIMIT_MS) return Number.POSITIVE_INFINITY;
  }
}

/** Signs a new image now, then asks until a Pod of it is admitted: ms from the signature to that. */
async function lateSignature(
  decide: (images: string[]) => Promise<Answer>,
  store: MetadataStore | string,
  key: { privateKey: string; fingerprint: string },
  label: string,
): Promise<number> {
  let n = 0;
  for (const ch of label) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  const image = `gcr.io/${GUIDE.project}/scale/late@sha256:${n.toString(16).padStart(64, '0')}`;
  // Asked once before it is signed: the miss is now cached or in the index, as in real life.
  await decide([image]);
  const writer = typeof store === 'string' ? new SqliteMetadataStore(store) : store;
  const signed = performance.now();
  await signImage(writer, image, key.privateKey, key.fingerprint);
  if (typeof store === 'string') await writer.close();
  for (;;) {
    if ((await decide([image])).allowed) return performance.now() - signed;
    if (performance.now() - signed > LATE_LIMIT_MS) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Two processes that spin on a core each, as scripts/check-under-load.sh does. */
function startBurners(): ChildProcess[] {
  return [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

function podBody(images: string[]): string {
  return JSON.stringify(podReview({ name: 'scale', images }));
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

function print(rows: Row[], heapMb: number): void {
  console.log(
    '\nScale: one Pod of 10 distinct signed images, projects of N occurrences (half attestations, half vulnerabilities, other images)',
  );
  console.log(
    `webhook heap limit: ${heapMb > 0 ? `--max-old-space-size=${heapMb} (deploy/deployment.yaml, or BENCH_SCALE_HEAP_MB)` : "V8's default"}`,
  );
  console.log(
    `${'backend'.padEnd(26)}${pad('index', 9)}${pad('size', 9)}${pad('ready ms', 10)}${pad('cold ms', 9)}${pad('× 1k', 7)}` +
      `${pad('admitted', 10)}${pad('next cold', 11)}${pad('× 1k', 7)}${pad('miss ms', 9)}${pad('× 1k', 7)}${pad('late ms', 9)}` +
      `${pad('warm/s', 8)}${pad('× 1k', 7)}${pad('RSS MB', 8)}${pad('peak', 7)}${pad('heap', 7)}${pad('calls/decision', 16)}${pad('allowed', 9)}`,
  );
  for (const row of rows) {
    const base = rows.find(
      (r) =>
        r.backend === row.backend && r.state === row.state && !r.burners && r.size === Math.min(...SIZES),
    ) as Row;
    const late = Number.isFinite(row.lateMs) ? Math.round(row.lateMs) : `>${LATE_LIMIT_MS}`;
    console.log(
      `${`${row.backend}${row.burners ? ' +burn' : ''}`.padEnd(26)}${pad(isOss(row.backend) ? row.state : '-', 9)}${pad(row.size, 9)}${pad(Math.round(row.readyMs), 10)}${pad(row.coldMs.toFixed(1), 9)}` +
        `${pad((row.coldMs / base.coldMs).toFixed(2), 7)}${pad(Number.isFinite(row.admittedMs) ? row.admittedMs.toFixed(0) : 'never', 10)}${pad(row.nextColdMs.toFixed(1), 11)}` +
        `${pad((row.nextColdMs / base.nextColdMs).toFixed(2), 7)}${pad(row.missMs.toFixed(1), 9)}${pad((row.missMs / base.missMs).toFixed(2), 7)}${pad(late, 9)}${pad(Math.round(row.warmPerSecond), 8)}` +
        `${pad((row.warmPerSecond / base.warmPerSecond).toFixed(2), 7)}${pad(row.rssMb.toFixed(0), 8)}${pad(row.peakRssMb.toFixed(0), 7)}${pad(row.heapMb.toFixed(0), 7)}` +
        `${pad(row.callsPerDecision, 16)}${pad(String(row.allowed), 9)}`,
    );
  }
  console.log(
    `(decisions at ?timeout=${TIMEOUT_S}s, the API server's default. cold: the first review after ready, caches empty;\n` +
      ' OSS index named: filled before ready, learned: from this Pod, whose first answer may be a warming denial in time.\n' +
      ' admitted: from that first review to its admission, retried every 250 ms as a controller would.\n' +
      ' miss: the best of three Pods of one unsigned image each (all denied); late: from writing a signature to the first admission.\n' +
      ' +burn: under two CPU burners; its × 1k is against the 1k row without burners.\n' +
      ' next cold: the best of two more Pods of 10 other images, nothing of them cached, the process warmed up.\n' +
      ' RSS: after the warm run and a full GC; peak: the most the process held over its life (fills included);\n' +
      ' heap: V8 heap in use after that GC (what the process keeps alive).\n' +
      ' calls/decision: HTTP requests to the emulator during the cold decision, or store calls for SQLite.\n' +
      ' × 1k: this size against the 1k project of the same backend, in this run.)',
  );
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const backend of BACKENDS) {
    const states: IndexState[] = isOss(backend) ? ['named', 'learned'] : ['named'];
    // A real server only grows: its rows go by size (SIZES ascending), both states at each size.
    const sizes = backend === ALL_BACKENDS.grafeas ? [...SIZES].sort((a, b) => a - b) : SIZES;
    const byState = states.flatMap((state) => sizes.map((size) => ({ state, size })));
    const bySize = sizes.flatMap((size) => states.map((state) => ({ state, size })));
    for (const { state, size } of backend === ALL_BACKENDS.grafeas ? bySize : byState) {
      if (backend !== 'sqlite' && size > ONLY_SQLITE_ABOVE) continue;
      out.push({ backend, size, state, burners: false });
    }
  }
  const largest = Math.max(...SIZES.filter((size) => size <= ONLY_SQLITE_ABOVE));
  if (process.env.BENCH_SCALE_BURNERS === '1' && BACKENDS.some((b) => b.startsWith('oss')))
    out.push({ backend: 'oss (grafeas:, indexed)', size: largest, state: 'named', burners: true });
  return out;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'signet-scale-'));
  let real: RealGrafeas | undefined;
  try {
    const key = await generatePgpKey({ name: 'Signet Scale', email: 'scale@example.com' });
    const policyDir = join(work, 'policies');
    await writeGuidePolicies(policyDir, key.publicKey);
    const files = await buildFixtures(work, key);
    const heapMb = await heapLimitMb();
    const rows: Row[] = [];
    real =
      GRAFEAS_URL && BACKENDS.includes(ALL_BACKENDS.grafeas as Backend)
        ? await seedRealGrafeas(GRAFEAS_URL, key)
        : undefined;
    for (const one of cases()) {
      const row = await measure(
        one,
        files.get(one.size) as string,
        policyDir,
        heapMb,
        key,
        one.backend === ALL_BACKENDS.grafeas ? real : undefined,
      );
      console.error(
        `measured ${one.backend} (${one.state}${one.burners ? ', burners' : ''}) at ${one.size}: cold ${row.coldMs.toFixed(1)} ms, ready ${Math.round(row.readyMs)} ms`,
      );
      rows.push(row);
    }
    print(rows, heapMb);
    // What the code does is the figure: a wrong answer is reported, not hidden by a crash.
    for (const row of rows.filter((r) => !r.allowed || !r.missDenied))
      console.log(
        `WRONG ANSWER: ${row.backend} (${row.state}) at ${row.size}: ${row.allowed ? 'an unsigned Pod was admitted' : 'a signed Pod was denied'}`,
      );
    if (rows.some((row) => !row.allowed || !row.missDenied)) process.exitCode = 1;
  } finally {
    await real?.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** The note and the three Pods' signatures, on a real server, as buildFixtures writes them into SQLite. */
async function seedRealGrafeas(url: string, key: { privateKey: string; fingerprint: string }) {
  const real = await connectRealGrafeas(url);
  await real.store.createNote(GUIDE.project, GUIDE.attestor, {
    kind: 'ATTESTATION',
    humanReadableName: 'QA attestor',
  });
  for (const image of PODS.flat()) await signImage(real.store, image, key.privateKey, key.fingerprint);
  return real;
}

await main();
