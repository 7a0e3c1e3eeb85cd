import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCosignPrivateKey } from '@signet/signing/cosign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet, signetBin } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';

// `signet keygen --cosign`: the key pair cosign generate-key-pair writes (real cosign signs with it in
// keygen-cosign.interop.test.ts).

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.cleanup());

const keygen = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runSignet(['--output', 'json', 'keygen', ...args], { ...sandbox.env, ...env });
const errorCode = (stdout: string) => (JSON.parse(stdout) as { error: { code: string } }).error.code;
const mode = (file: string) => statSync(file).mode & 0o777;

describe('signet keygen --cosign', () => {
  it('writes PREFIX.key (mode 600) and PREFIX.pub (644) that readCosignPrivateKey opens with COSIGN_PASSWORD', async () => {
    const prefix = sandbox.path('release');
    const run = await keygen(['--cosign', '--output-key-prefix', prefix], { COSIGN_PASSWORD: 'pw 1' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      keyType: 'ecdsa-p256',
      privateKeyFile: `${prefix}.key`,
      publicKeyFile: `${prefix}.pub`,
    });
    const privatePem = readFileSync(`${prefix}.key`, 'utf8');
    const publicPem = readFileSync(`${prefix}.pub`, 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    const key = readCosignPrivateKey(privatePem, 'pw 1');
    expect(key.publicKey.type).toBe('ecdsa-p256');
    expect(key.publicKey.key.export({ type: 'spki', format: 'pem' })).toBe(publicPem);
    expect(mode(`${prefix}.key`)).toBe(0o600);
    expect(mode(`${prefix}.pub`)).toBe(0o644);
  });

  it('writes cosign.key and cosign.pub in the current folder by default, with an empty password', () => {
    const folder = sandbox.path('default-prefix');
    mkdirSync(folder);
    const run = spawnSync(process.execPath, [signetBin, 'keygen', '--cosign'], {
      cwd: folder,
      env: { PATH: process.env.PATH, ...sandbox.env, COSIGN_PASSWORD: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Private key written to cosign.key');
    const key = readCosignPrivateKey(readFileSync(join(folder, 'cosign.key'), 'utf8'), '');
    expect(key.publicKey.type).toBe('ecdsa-p256');
    expect(existsSync(join(folder, 'cosign.pub'))).toBe(true);
  });

  it('--help names --cosign, --output-key-prefix and COSIGN_PASSWORD', async () => {
    const run = await runSignet(['keygen', '--help'], sandbox.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--cosign');
    expect(run.stdout).toContain('--output-key-prefix <prefix>');
    expect(run.stdout).toContain('COSIGN_PASSWORD');
  });
});

describe('signet keygen --cosign refuses, exit 2, with a fix, writing nothing', () => {
  it('no COSIGN_PASSWORD and no terminal to ask on', async () => {
    const prefix = sandbox.path('no-password');
    const run = await keygen(['--cosign', '--output-key-prefix', prefix]);
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(errorCode(run.stdout)).toBe('COSIGN_PASSWORD_MISSING');
    expect(existsSync(`${prefix}.key`) || existsSync(`${prefix}.pub`)).toBe(false);
  });

  it.each(['key', 'pub'])('an existing PREFIX.%s (neither file is touched)', async (existing) => {
    const prefix = sandbox.path(`exists-${existing}`);
    sandbox.write(`exists-${existing}.${existing}`, 'old key');
    const run = await keygen(['--cosign', '--output-key-prefix', prefix], { COSIGN_PASSWORD: 'x' });
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(errorCode(run.stdout)).toBe('FILE_EXISTS');
    expect(run.stderr).toContain(`${prefix}.${existing} already exists`);
    expect(readFileSync(`${prefix}.${existing}`, 'utf8')).toBe('old key');
    const other = existing === 'key' ? 'pub' : 'key';
    expect(existsSync(`${prefix}.${other}`)).toBe(false);
  });

  it('a prefix in a folder that does not exist (exit 3, nothing written)', async () => {
    const prefix = sandbox.path('missing-folder/cosign');
    const run = await keygen(['--cosign', '--output-key-prefix', prefix], { COSIGN_PASSWORD: 'x' });
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(errorCode(run.stdout)).toBe('FILE_UNWRITABLE');
  });

  it.each([
    [['--name', 'CI'], '--name'],
    [['--out', 'k'], '--out'],
    [['--type', 'rsa'], '--type'],
    [['--passphrase-env', 'P'], '--passphrase-env'],
  ])('OpenPGP flags beside it (%s)', async (extra, flag) => {
    const run = await keygen(['--cosign', ...extra], { COSIGN_PASSWORD: 'x' });
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(errorCode(run.stdout)).toBe('PGP_ONLY_FLAG');
    expect(run.stderr).toContain(flag);
  });

  it('--output-key-prefix without --cosign', async () => {
    const run = await keygen(['--output-key-prefix', 'x', '--name', 'a', '--email', 'a@b', '--out', 'k']);
    expect(run.code).toBe(2);
    expect(errorCode(run.stdout)).toBe('COSIGN_ONLY_FLAG');
  });

  it('an empty --output-key-prefix', async () => {
    const run = await keygen(['--cosign', '--output-key-prefix', ''], { COSIGN_PASSWORD: 'x' });
    expect(run.code).toBe(2);
    expect(errorCode(run.stdout)).toBe('KEY_PREFIX_EMPTY');
  });
});

describe('signet keygen (OpenPGP) without --cosign', () => {
  it('still needs --name, --email and --out, naming the missing ones', async () => {
    const run = await keygen(['--name', 'CI']);
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(errorCode(run.stdout)).toBe('KEYGEN_FLAGS_MISSING');
    expect(run.stderr).toContain('--email, --out');
  });
});
