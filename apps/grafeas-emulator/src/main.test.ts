import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const ARGS = ['--import', 'tsx', join(appDir, 'src', 'main.ts')];
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function start(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [...ARGS, ...args], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    // Bounded by the test's timeout: a start-up clock here failed on a busy machine.
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 240_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

describe('grafeas-emulator CLI', () => {
  it('prints its URL, serves, shares its database file, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signet-emulator-'));
    dirs.push(dir);
    const db = join(dir, 'grafeas.db');
    const { child, url, output } = await start(['--port', '0', '--db', db]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v1/projects/p/notes?noteId=n`, {
      method: 'POST',
      body: JSON.stringify({ attestation: { hint: { humanReadableName: 'n' } } }),
    });
    expect(res.status).toBe(200);
    const sameFile = new SqliteMetadataStore(db);
    expect((await sameFile.getNote('projects/p/notes/n')).kind).toBe('ATTESTATION');
    await sameFile.createOccurrence('p', {
      kind: 'DISCOVERY',
      resourceUri: 'https://r/x@sha256:00',
      noteName: 'projects/p/notes/n',
      analysisStatus: 'PENDING',
    });
    await sameFile.close();
    const listed = (await (await fetch(`${url}/v1/projects/p/occurrences`)).json()) as {
      occurrences: unknown[];
    };
    expect(listed.occurrences).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output()).toContain('SIGTERM received, stopping');
  });

  it('--help teaches: flags, defaults and the guide commands', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [...ARGS, '--help'], { cwd: appDir });
    expect(stdout).toContain('--db <path>');
    expect(stdout).toContain('--flavor <flavor>');
    expect(stdout).toContain('/v1/projects/P/notes?noteId=N');
    expect(stdout).toContain('containeranalysis:http://127.0.0.1:8080');
  });

  it('refuses a bad flavor with exit code 1 and a usage hint', async () => {
    const error = await promisify(execFile)(process.execPath, [...ARGS, '--flavor', 'mongo'], {
      cwd: appDir,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toContain('mongo');
    expect((error as { stderr: string }).stderr).toContain('--help');
  });

  it('reports a port in use and exits 1', async () => {
    const first = await start(['--port', '0']);
    const port = new URL(first.url).port;
    const error = await promisify(execFile)(process.execPath, [...ARGS, '--port', port], {
      cwd: appDir,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toContain(`port ${port} is in use`);
    first.child.kill('SIGINT');
    expect(await exited(first.child)).toBe(0);
  });
});
