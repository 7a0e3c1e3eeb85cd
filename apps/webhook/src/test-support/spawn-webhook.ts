import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';

/** The package folder (apps/webhook). */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SpawnedWebhook {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `signet-webhook ARGS` as a real process (through tsx), its output collected; `env` goes over this process's. */
export function spawnWebhook(args: string[], env: NodeJS.ProcessEnv): SpawnedWebhook {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: APP_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The URL the process prints once it listens (0.0.0.0 as 127.0.0.1); throws with its output when it exits first. */
export async function listeningUrl(spawned: SpawnedWebhook): Promise<string> {
  const didNotStart = () => new Error(`the webhook did not start:\n${spawned.stdout()}\n${spawned.stderr()}`);
  // Starting a Node process takes minutes on a busy machine: wait for the line, or the exit.
  const match = await eventually(
    () => {
      if (spawned.child.exitCode !== null) throw didNotStart();
      return /listening on (\S+)/.exec(spawned.stdout()) ?? undefined;
    },
    'the webhook listening',
    240_000,
  ).catch((error: Error) => {
    throw error.message.startsWith('the webhook did not start') ? error : didNotStart();
  });
  return (match[1] as string).replace('0.0.0.0', '127.0.0.1');
}
