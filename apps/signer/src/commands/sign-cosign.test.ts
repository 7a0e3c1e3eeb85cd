import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';

// `signet sign --cosign-key`: what is refused before the registry is asked (the registry writes run in
// sign-cosign.interop.test.ts against Debian's docker-registry, and against real cosign).

const KEYS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys');
const IMAGE = `127.0.0.1:9/team/app@sha256:${'a'.repeat(64)}`;
let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.cleanup());

const sign = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runSignet(['--output', 'json', 'sign', '--image', IMAGE, ...args], { ...sandbox.env, ...env });
const errorCode = (stdout: string) => (JSON.parse(stdout) as { error: { code: string } }).error.code;

describe('signet sign --cosign-key refuses, exit 2, with a fix', () => {
  it('no COSIGN_PASSWORD and no terminal to ask on', async () => {
    const run = await sign(['--cosign-key', join(KEYS, 'ecdsa-p256.key')]);
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('COSIGN_PASSWORD');
  });

  it('a wrong password', async () => {
    const run = await sign(['--cosign-key', join(KEYS, 'ecdsa-p256.key')], { COSIGN_PASSWORD: 'wrong' });
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('password does not decrypt');
  });

  it('a file that is not a cosign private key (the public key)', async () => {
    const run = await sign(['--cosign-key', join(KEYS, 'ecdsa-p256.pub')], { COSIGN_PASSWORD: 'x' });
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('invalid cosign private key');
  });

  it('a key file that does not exist', async () => {
    const run = await sign(['--cosign-key', join(KEYS, 'missing.key')], { COSIGN_PASSWORD: 'x' });
    expect(run.code).not.toBe(0);
    expectCleanError(run);
  });

  it.each([
    [['--note', 'projects/p/notes/n'], '--note'],
    [['--policy', 'p.yaml'], '--policy'],
    [['--payload-form', 'gcloud'], '--payload-form'],
  ])('Grafeas flags beside it (%s)', async (extra, flag) => {
    const run = await sign(['--cosign-key', join(KEYS, 'ecdsa-p256.key'), ...extra], {
      COSIGN_PASSWORD: 'signet-test-vectors',
    });
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain(flag);
  });

  it('--predicate without --type', async () => {
    const run = await sign(['--cosign-key', join(KEYS, 'ecdsa-p256.key'), '--predicate', 'p.json'], {
      COSIGN_PASSWORD: 'signet-test-vectors',
    });
    expect(run.code).toBe(2);
    expect(errorCode(run.stdout)).toBe('PREDICATE_INCOMPLETE');
  });

  it('a predicate that is not JSON', async () => {
    const file = sandbox.write('predicate.txt', 'not json');
    const run = await sign(
      [
        '--cosign-key',
        join(KEYS, 'ecdsa-p256.key'),
        '--predicate',
        file,
        '--type',
        'https://slsa.dev/provenance/v1',
      ],
      { COSIGN_PASSWORD: 'signet-test-vectors' },
    );
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(errorCode(run.stdout)).toBe('PREDICATE_INVALID');
  });

  it('a predicate type that is not a URI', async () => {
    const file = sandbox.write('predicate.json', '{}');
    const run = await sign(
      ['--cosign-key', join(KEYS, 'ecdsa-p256.key'), '--predicate', file, '--type', 'slsa'],
      {
        COSIGN_PASSWORD: 'signet-test-vectors',
      },
    );
    expect(run.code).toBe(2);
    expect(errorCode(run.stdout)).toBe('PREDICATE_TYPE_INVALID');
  });

  it('another key source beside it', async () => {
    const run = await sign(['--cosign-key', join(KEYS, 'ecdsa-p256.key'), '--pkix-key', 'k.pem']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot be used with option '--cosign-key/);
  });

  it('--cosign-repository or --predicate without --cosign-key', async () => {
    const run = await sign([
      '--note',
      'projects/p/notes/n',
      '--cosign-repository',
      'r.example/sigs',
      '--predicate',
      'p.json',
    ]);
    expect(run.code).toBe(2);
    expect(errorCode(run.stdout)).toBe('COSIGN_FLAG_WITHOUT_KEY');
  });

  it('neither --note nor --cosign-key', async () => {
    const run = await sign(['--pkix-key', 'k.pem', '--pkix-algorithm', 'ECDSA_P256_SHA256']);
    expect(run.code).toBe(2);
    expect(errorCode(run.stdout)).toBe('NOTE_MISSING');
    expect(run.stderr).toContain('--cosign-key');
  });
});
