import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const signetBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'signet.js');

export interface SignetRun {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

/** A signet process under way: its result, and a wait for a line it prints to stderr. */
export interface RunningSignet extends Promise<SignetRun> {
  /** Resolves once stderr matches `pattern` (rejects if the process ends first). */
  printed(pattern: RegExp): Promise<void>;
}

/** Runs `node bin/signet.js ...args` as a real process with exactly `env` (plus PATH). */
export function runSignet(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin?: string | Uint8Array,
): RunningSignet {
  const child = spawn(process.execPath, [signetBin, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const result = new Promise<SignetRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
  child.stdin.on('error', () => {}); // a process may exit without reading its input
  child.stdin.end(stdin ?? '');
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(Buffer.concat(err).toString('utf8'))) return;
        child.stderr.off('data', check);
        resolve();
      };
      child.stderr.on('data', check);
      check();
      result.then(
        (run) =>
          reject(new Error(`signet ended (exit ${run.code}) without printing ${pattern}:\n${run.stderr}`)),
        reject,
      );
    });
  return Object.assign(result, { printed });
}

/** A failure printed the way users should see it: a message and a fix, and never a stack trace. */
export function expectCleanError(run: SignetRun): void {
  if (!/^signet: error: /m.test(run.stderr) && !/^signet: /m.test(run.stderr)) {
    throw new Error(`no signet error message on stderr:\n${run.stderr}`);
  }
  if (!/\n {2}fix: \S/.test(run.stderr)) throw new Error(`no fix in the error:\n${run.stderr}`);
  if (/\n\s+at .+[:(]\d+/.test(run.stderr)) throw new Error(`a stack trace was printed:\n${run.stderr}`);
}
