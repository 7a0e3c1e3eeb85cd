/**
 * List one image's 1,000 vulnerability occurrences: through the emulator over HTTP (googleapis v1
 * and v1beta1, plain-HTTP grafeas:) and straight from the embedded SQLite store. Prints the median
 * time per call and the ratio to the embedded store (the baseline). The emulator runs as its own
 * process (its CLI, through tsx), as a user would run it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiVersion, type MetadataStore, type OccurrenceSpec, openMetadataStore } from '../src/index.js';

const EMULATOR_MAIN = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../apps/grafeas-emulator/src/main.ts',
);

function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', EMULATOR_MAIN, '--port', '0', '--db', ':memory:'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, child });
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}): ${output}`)));
  });
}

const COUNT = 1000;
const PROJECT = 'bench';
const IMAGE = `https://gcr.io/bench/app@sha256:${'a'.repeat(64)}`;

function vulnerability(i: number): OccurrenceSpec {
  return {
    kind: 'VULNERABILITY',
    resourceUri: IMAGE,
    noteName: `projects/goog-vulnz/notes/CVE-2024-${10000 + i}`,
    severity: 'HIGH',
    effectiveSeverity: i % 3 === 0 ? 'CRITICAL' : 'MEDIUM',
    cvssScore: 7.2,
    fixAvailable: i % 2 === 0,
    packages: [
      {
        affectedCpeUri: 'cpe:/o:debian:debian_linux:12',
        affectedPackage: `pkg-${i}`,
        affectedVersion: { kind: 'NORMAL', name: '1.0.0', revision: '1' },
        fixedVersion: i % 2 === 0 ? { kind: 'NORMAL', name: '1.0.1', revision: '1' } : { kind: 'MAXIMUM' },
        fixAvailable: i % 2 === 0,
      },
    ],
  };
}

interface Row {
  path: string;
  medianMs: number;
  minMs: number;
}

async function measure(path: string, iterations: number, call: () => Promise<number>): Promise<Row> {
  for (let i = 0; i < 3; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const n = await call();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (n !== COUNT) throw new Error(`${path}: listed ${n}, expected ${COUNT}`);
  }
  times.sort((a, b) => a - b);
  return { path, medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]! };
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const embedded = await openMetadataStore('sqlite::memory:');
  const stores: MetadataStore[] = [embedded];
  try {
    const specs = Array.from({ length: COUNT }, (_, i) => vulnerability(i));
    await embedded.batchCreateOccurrences(PROJECT, specs);
    const seeder = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1' });
    await seeder.batchCreateOccurrences(PROJECT, specs);
    await seeder.close();
    const list = (store: MetadataStore) => async () =>
      (await store.listImageOccurrences(PROJECT, IMAGE)).vulnerabilities.length;
    const open = async (url: string, api: ApiVersion) => {
      const store = await openMetadataStore(url, { api });
      stores.push(store);
      return store;
    };
    const rows: Row[] = [];
    rows.push(await measure('embedded store (sqlite::memory:, in process)', 40, list(embedded)));
    rows.push(
      await measure(
        'emulator, googleapis v1',
        15,
        list(await open(`containeranalysis:${emulator.url}`, 'v1')),
      ),
    );
    rows.push(
      await measure(
        'emulator, googleapis v1beta1',
        15,
        list(await open(`containeranalysis:${emulator.url}`, 'v1beta1')),
      ),
    );
    rows.push(
      await measure(
        'emulator, grafeas: plain HTTP v1beta1',
        15,
        list(await open(`grafeas:${emulator.url}`, 'v1beta1')),
      ),
    );
    const base = rows[0]!.medianMs;
    console.log(`\nlist ${COUNT} vulnerability occurrences of one image (pageSize 1000; median of runs)\n`);
    console.log(
      `${'path'.padEnd(46)} ${'ms/call'.padStart(9)} ${'min ms'.padStart(8)} ${'x embedded'.padStart(11)}`,
    );
    for (const r of rows) {
      console.log(
        `${r.path.padEnd(46)} ${r.medianMs.toFixed(2).padStart(9)} ${r.minMs.toFixed(2).padStart(8)} ${(r.medianMs / base).toFixed(1).padStart(11)}`,
      );
    }
  } finally {
    for (const s of stores) await s.close();
    emulator.child.kill('SIGTERM');
  }
}

await main();
