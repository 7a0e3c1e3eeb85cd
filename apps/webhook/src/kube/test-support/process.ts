import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface RunningProcess {
  name: string;
  logFile: string;
  /** Set once the process has exited (code, or the signal that ended it). */
  exited(): string | undefined;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A port free right now on 127.0.0.1 (envtest does the same: pick, close, hand to the binary). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a binary with its stdout and stderr going to `logFile`. */
export function startProcess(name: string, binary: string, args: string[], logFile: string): RunningProcess {
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exit: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exit = `failed to start: ${error.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
  });
  return {
    name,
    logFile,
    exited: () => exit,
    async logTail(lines = 30) {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    },
    async stop(graceMs = 10_000) {
      if (exit === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await gone;
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

/** Polls `probe` until it returns true; fails with the process's log tail when it exits or time runs out. */
export async function waitUntil(
  process: RunningProcess,
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = process.exited();
    if (exit !== undefined) {
      throw new Error(`${process.name} ${exit} before ${what}; last log lines:\n${await process.logTail()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${process.name} not ${what} after ${timeoutMs} ms; last log lines:\n${await process.logTail()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
