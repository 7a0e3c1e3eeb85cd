import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet, signetBin } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.cleanup());

describe('signet --help and --version', () => {
  it('documents every command, the global options and the exit codes', async () => {
    const run = await runSignet(['--help'], sandbox.env);
    expect(run.code).toBe(0);
    for (const command of ['note', 'sign', 'attach', 'verify', 'check', 'payload', 'evaluate', 'resolve']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    for (const option of [
      '--store <url>',
      '--api <version>',
      '--output <format>',
      'SIGNET_STORE',
      'SIGNET_API',
    ]) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}a verdict of "no"/);
    expect(run.stdout).toMatch(/^ {2}2 {2}usage error/m);
    expect(run.stdout).toMatch(/^ {2}3 {2}backend or I\/O error/m);
  });

  it('names the per-user default store under XDG_DATA_HOME', async () => {
    const run = await runSignet(['--help'], sandbox.env);
    expect(run.stdout).toContain(`Default store: sqlite:${sandbox.dir}/data/signet/metadata.db`);
  });

  it('falls back to ~/.local/share when XDG_DATA_HOME is unset', async () => {
    const run = await runSignet(['--help'], { HOME: sandbox.dir });
    expect(run.stdout).toContain(`Default store: sqlite:${sandbox.dir}/.local/share/signet/metadata.db`);
  });

  it('prints the package version', async () => {
    const run = await runSignet(['--version'], sandbox.env);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('shows each command flags in its own help', async () => {
    const run = await runSignet(['sign', '--help'], sandbox.env);
    expect(run.code).toBe(0);
    for (const flag of [
      '--image',
      '--note',
      '--pgp-key',
      '--pgp-passphrase-env',
      '--gpg-user',
      '--pkix-key',
      '--pkix-algorithm',
      '--policy',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('reaches neither openpgp, googleapis, the store nor the policy engine by static imports', async () => {
    const reached = staticImportGraph(join(signetBin, '..', '..', 'dist', 'main.js'));
    const bare = [...reached].filter((spec) => !spec.startsWith('/'));
    expect(bare.sort()).toEqual([
      '@signet/errors',
      '@signet/grafeas-client/defaults',
      'commander',
      'node:fs',
    ]);
    expect([...reached].some((file) => file.includes('/commands/'))).toBe(false);
  });
});

describe('usage errors exit 2 with a message and a fix', () => {
  it('refuses an unknown flag', async () => {
    const run = await runSignet(
      ['payload', '--image', `gcr.io/p/app@sha256:${'a'.repeat(64)}`, '--frobnicate'],
      sandbox.env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--frobnicate'");
    expectCleanError(run);
    expect(run.stdout).toBe('');
  });

  it('refuses an unknown command, suggesting the closest one', async () => {
    const run = await runSignet(['sing'], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'sing'");
    expect(run.stderr).toContain('sign');
    expectCleanError(run);
  });

  it('refuses a missing required option', async () => {
    const run = await runSignet(['verify', '--image', `gcr.io/p/app@sha256:${'a'.repeat(64)}`], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--authority <file>' not specified");
    expectCleanError(run);
  });

  it('refuses an --api that does not exist, from the flag and from SIGNET_API', async () => {
    const flag = await runSignet(['--api', 'v2', 'payload', '--image', 'x'], sandbox.env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("argument 'v2' is invalid");
    const env = await runSignet(['payload', '--image', 'x'], { ...sandbox.env, SIGNET_API: 'v3' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("value 'v3' from env 'SIGNET_API' is invalid");
  });

  it('asks for a command when given none', async () => {
    const run = await runSignet([], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: signet');
  });
});

/** Files and bare module names reachable from `entry` through static `import ... from` (not `import()`). */
function staticImportGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm,
    )) {
      const spec = match[1] ?? match[2] ?? '';
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target)) visit(target);
      } else {
        seen.add(spec);
      }
    }
  };
  visit(entry);
  return seen;
}
