import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
} from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCosign } from './test-support/cosign-cli.js';
import { cosignAuthorityYaml } from './test-support/cosign-vectors.js';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: the key pair `signet keygen --cosign` writes is one real cosign
// 2.5 signs with (`cosign sign --key`, the password from COSIGN_PASSWORD) and verifies with
// (`cosign verify --key`), offline, against Debian's docker-registry. Without cosign it fails.

const PASSWORD = 'made by signet';
const RECORDED_PUB = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys', 'ecdsa-p256.pub');
let sandbox: Sandbox;
let registry: RunningRegistry;
let pinned: string;
let prefix: string;

const cosign = (args: string[], password = PASSWORD) =>
  runCosign(args, { HOME: sandbox.dir, COSIGN_PASSWORD: password });
const cosignVerify = (publicKey: string) =>
  cosign(['verify', '--key', publicKey, '--insecure-ignore-tlog=true', '--allow-insecure-registry', pinned]);

beforeAll(async () => {
  sandbox = createSandbox();
  expect((await cosign(['version'])).code).toBe(0);
  registry = await startRegistry(join(sandbox.dir, 'registry'), { kind: 'anonymous' });
  await push(await makeLayout(sandbox.dir), 'single', `${registry.host}/team/app:v1`);
  pinned = `${registry.host}/team/app@${(await skopeoDigests(`${registry.host}/team/app:v1`)).raw}`;
  prefix = sandbox.path('made');
  const keygen = await runSignet(['keygen', '--cosign', '--output-key-prefix', prefix], {
    ...sandbox.env,
    COSIGN_PASSWORD: PASSWORD,
  });
  expect(keygen.code, keygen.stderr).toBe(0);
});

afterAll(async () => {
  await registry?.stop();
  sandbox?.cleanup();
});

describe('real cosign uses the key pair signet keygen --cosign wrote', () => {
  it('cosign refuses to open the private key with another password', async () => {
    const run = await cosign(
      ['sign', '--key', `${prefix}.key`, '--tlog-upload=false', '--allow-insecure-registry', '-y', pinned],
      'not the password',
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/decrypt|password/i);
  });

  it('cosign sign --key signs with it, and cosign verify --key accepts with its .pub only', async () => {
    const signed = await cosign([
      'sign',
      '--key',
      `${prefix}.key`,
      '--tlog-upload=false',
      '--allow-insecure-registry',
      '-y',
      pinned,
    ]);
    expect(signed.code, signed.stderr).toBe(0);
    const verified = await cosignVerify(`${prefix}.pub`);
    expect(verified.code, verified.stderr).toBe(0);
    const refused = await cosignVerify(RECORDED_PUB);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('no matching signatures');
  });

  it('signet verify admits the image under an authority holding base64 of the .pub', async () => {
    const publicKeyData = readFileSync(`${prefix}.pub`).toString('base64');
    const authority = sandbox.write(
      'made.yaml',
      cosignAuthorityYaml('made', {}).replace(/publicKeyData: \S+/, `publicKeyData: ${publicKeyData}`),
    );
    const run = await runSignet(
      ['verify', '--image', pinned, '--authority', authority, '--insecure-registry', registry.host],
      sandbox.env,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
