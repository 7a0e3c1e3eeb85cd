import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
} from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: what `signet sign --cosign-key` writes must pass real
// `cosign verify` and `cosign verify-attestation` (cosign 2.5, Debian trixie's `cosign` package), offline: a key, no transparency log.
// The binary is $COSIGN, else `cosign` on PATH; without it the suite fails, never skips.

const KEYS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys');
const COSIGN = process.env.COSIGN || 'cosign';
const SLSA = 'https://slsa.dev/provenance/v1';
let sandbox: Sandbox;
let registry: RunningRegistry;
let pinned: string;

function cosign(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      COSIGN,
      args,
      { env: { PATH: process.env.PATH, HOME: sandbox.dir } },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(
            new Error(
              `cosign is not installed (looked for ${COSIGN}): install Debian trixie's cosign 2.5 (apt-get download cosign from trixie, dpkg -x) and put it on PATH or in $COSIGN`,
            ),
          );
          return;
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const verify = (key: string) =>
  cosign([
    'verify',
    '--key',
    join(KEYS, `${key}.pub`),
    '--insecure-ignore-tlog=true',
    '--allow-insecure-registry',
    pinned,
  ]);

beforeAll(async () => {
  sandbox = createSandbox();
  expect((await cosign(['version'])).code).toBe(0);
  registry = await startRegistry(join(sandbox.dir, 'registry'), { kind: 'anonymous' });
  await push(await makeLayout(sandbox.dir), 'single', `${registry.host}/team/app:v1`);
  pinned = `${registry.host}/team/app@${(await skopeoDigests(`${registry.host}/team/app:v1`)).raw}`;
  for (const key of ['ecdsa-p256', 'ed25519']) {
    const run = await runSignet(
      [
        'sign',
        '--image',
        pinned,
        '--cosign-key',
        join(KEYS, `${key}.key`),
        '--insecure-registry',
        registry.host,
      ],
      { ...sandbox.env, COSIGN_PASSWORD: 'signet-test-vectors' },
    );
    expect(run.code, run.stderr).toBe(0);
  }
  const attest = await runSignet(
    [
      'sign',
      '--image',
      pinned,
      '--cosign-key',
      join(KEYS, 'ecdsa-p256.key'),
      '--insecure-registry',
      registry.host,
    ].concat('--predicate', join(KEYS, '..', 'predicate-slsa1.json'), '--type', SLSA),
    { ...sandbox.env, COSIGN_PASSWORD: 'signet-test-vectors' },
  );
  expect(attest.code, attest.stderr).toBe(0);
});

afterAll(async () => {
  await registry?.stop();
  sandbox?.cleanup();
});

describe('real cosign accepts what signet sign --cosign-key wrote', () => {
  it.each(['ecdsa-p256', 'ed25519'])('with the %s public key', async (key) => {
    const run = await verify(key);
    expect(run.code, run.stderr).toBe(0);
    const payloads = JSON.parse(run.stdout) as { critical: { identity: { 'docker-reference': string } } }[];
    expect(payloads[0]?.critical.identity['docker-reference']).toBe(`${registry.host}/team/app`);
  });

  it('and refuses it with a key that did not sign', async () => {
    const run = await verify('ecdsa-p384');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('no matching signatures');
  });

  it('cosign verify-attestation accepts the attestation for its type, and no other type', async () => {
    const args = ['verify-attestation', '--key', join(KEYS, 'ecdsa-p256.pub'), '--insecure-ignore-tlog=true'];
    const accepted = await cosign([...args, '--allow-insecure-registry', '--type', SLSA, pinned]);
    expect(accepted.code, accepted.stderr).toBe(0);
    const other = await cosign([
      ...args,
      '--allow-insecure-registry',
      '--type',
      'https://example.com/other',
      pinned,
    ]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('none of the attestations matched the predicate type');
  });
});
