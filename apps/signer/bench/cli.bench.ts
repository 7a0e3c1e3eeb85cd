/**
 * Wall time of the `signet` process, beside the ways it replaces, in the same run:
 *   - `signet --version` next to a bare `node -e ''` (what startup costs on top of Node itself);
 *   - `signet sign --pgp-key` on the embedded store, and against the emulator (v1beta1), next to the
 *     guide's manual way: `gpg -a --sign` over the payload, then `curl` POSTing the occurrence JSON
 *     to the emulator (Container Analysis flavour, v1beta1).
 * Each row runs the real processes ROUNDS times, interleaved, and reports the median.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@signet/grafeas-emulator';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const here = dirname(fileURLToPath(import.meta.url));
const signetBin = join(here, '..', 'bin', 'signet.js');
const kritisSigner = join(
  here,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'testdata',
  'kritis',
  'integration',
  'signer',
);
const digest = `sha256:${'ab'.repeat(32)}`;
const image = `gcr.io/bench-proj/app@${digest}`;
const fingerprint = 'EDEEBA8C1643F102542055B1B77522D28FA683D6';

interface Ran {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: Buffer | string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin.on('error', () => {}); // a process may exit without reading its input
    child.stdin.end(input ?? '');
  });
}

async function mustRun(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: Buffer | string,
): Promise<Ran> {
  const result = await run(command, args, env, input);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  const gnupg = join(home, 'gnupg');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    GNUPGHOME: gnupg,
  };
  await mustRun('mkdir', ['-m', '700', gnupg], env);
  await mustRun('gpg', ['--batch', '--import', join(kritisSigner, 'private.key')], env);
  const emulator = await startEmulator({ flavor: 'google' });
  const emulatorStore = ['--store', `containeranalysis:${emulator.url}`, '--api', 'v1beta1'];
  try {
    const signet = (args: string[]) => mustRun(process.execPath, [signetBin, ...args], env);
    await signet(['note', 'create', '--project', 'attestors', '--note-id', 'qa']);
    await signet([...emulatorStore, 'note', 'create', '--project', 'attestors', '--note-id', 'qa']);
    const payload = (await signet(['payload', '--image', image])).stdout;

    const signArgs = [
      'sign',
      '--image',
      image,
      '--note',
      'projects/attestors/notes/qa',
      '--pgp-key',
      join(kritisSigner, 'private.key'),
    ];
    const manual = async () => {
      const signature = (
        await mustRun('gpg', ['--batch', '-u', fingerprint, '-a', '--sign'], env, payload)
      ).stdout.toString();
      const body = JSON.stringify({
        resource: { uri: `https://${image}` },
        noteName: 'projects/attestors/notes/qa',
        attestation: {
          attestation: {
            pgpSignedAttestation: { signature, contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: fingerprint },
          },
        },
      });
      // Signing the same bytes twice within one second gives the same signature: the emulator, like
      // Google, answers 409 ALREADY_EXISTS for the repeat, which is the guide's normal outcome too.
      const status = (
        await mustRun(
          'curl',
          [
            '-sS',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            '-X',
            'POST',
            '-H',
            'Authorization: Bearer token',
            '-H',
            'Content-Type: application/json',
            '--data-binary',
            '@-',
            `${emulator.url}/v1beta1/projects/attestors/occurrences`,
          ],
          env,
          body,
        )
      ).stdout.toString();
      if (status !== '200' && status !== '409') throw new Error(`the manual upload answered HTTP ${status}`);
    };

    const rows: Record<string, () => Promise<unknown>> = {
      "node -e '' (baseline for startup)": () => mustRun(process.execPath, ['-e', ''], env),
      'signet --version': () => signet(['--version']),
      'signet --help': () => signet(['--help']),
      'guide by hand: gpg -a --sign + curl POST (baseline for signing)': manual,
      'signet sign --pgp-key, embedded store': () => signet(signArgs),
      'signet sign --pgp-key, emulator v1beta1': () => signet([...emulatorStore, ...signArgs]),
    };
    const samples = new Map<string, number[]>(Object.keys(rows).map((name) => [name, []]));
    for (const work of Object.values(rows)) await work(); // warm the disk cache and the gpg-agent
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, work] of Object.entries(rows)) samples.get(name)?.push(await timed(work));
    }
    const med = (name: string) => median(samples.get(name) ?? []);
    const startBase = med("node -e '' (baseline for startup)");
    const signBase = med('guide by hand: gpg -a --sign + curl POST (baseline for signing)');
    console.log(
      `signet CLI wall time, median of ${ROUNDS} runs (Node ${process.version}, ${new Date().toISOString()})\n`,
    );
    console.log(`${'case'.padEnd(66)} ${'median ms'.padStart(10)}  ratio`);
    for (const name of Object.keys(rows)) {
      const base = name.startsWith('signet sign') || name.startsWith('guide') ? signBase : startBase;
      console.log(
        `${name.padEnd(66)} ${med(name).toFixed(1).padStart(10)}  ${(med(name) / base).toFixed(2)}x`,
      );
    }
    console.log('\nratios: startup rows against bare node; signing rows against the manual gpg + curl way.');
  } finally {
    await emulator.close();
    await run('gpgconf', ['--kill', 'all'], env);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
