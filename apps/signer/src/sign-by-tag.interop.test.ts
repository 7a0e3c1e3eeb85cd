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
import { signatureOf } from './test-support/occurrence-json.js';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: `signet sign --image REPO:TAG` against Debian's docker-registry
// (anonymous, plain HTTP), images from umoci pushed with skopeo. A missing tool fails.

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const note = 'projects/attestors/notes/qa';
let sandbox: Sandbox;
let registry: RunningRegistry;
let layout: string;
let authority: string;

const insecure = () => ['--insecure-registry', registry.host];
const signByTag = (image: string) =>
  runSignet(
    ['--output', 'json', 'sign', '--image', image, '--note', note].concat(
      '--pgp-key',
      join(kritisSigner, 'private.key'),
      insecure(),
    ),
    sandbox.env,
  );
const verify = (image: string) =>
  runSignet(['verify', '--image', image, '--authority', authority, ...insecure()], sandbox.env);

beforeAll(async () => {
  sandbox = createSandbox();
  registry = await startRegistry(join(sandbox.dir, 'registry'), { kind: 'anonymous' });
  layout = await makeLayout(sandbox.dir);
  await push(layout, 'single', `${registry.host}/app:v1`);
  await push(layout, 'multi', `${registry.host}/app:multi`, { all: true });
  expect(
    (await runSignet(['note', 'create', '--project', 'attestors', '--note-id', 'qa'], sandbox.env)).code,
  ).toBe(0);
  const key = readFileSync(join(kritisSigner, 'public.key')).toString('base64');
  authority = sandbox.write(
    'qa.yaml',
    `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: qa\nspec:\n  noteReference: ${note}\n  publicKeys:\n  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${key}\n`,
  );
});
afterAll(async () => {
  await registry?.stop();
  sandbox.cleanup();
});

describe('signet sign --image REPO:TAG against docker-registry', () => {
  it('signs the digest skopeo reports; the stored attestation names it and verifies by digest', async () => {
    const { raw: digest } = await skopeoDigests(`${registry.host}/app:v1`);
    const run = await signByTag(`${registry.host}/app:v1`);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`resolved ${registry.host}/app:v1 to ${registry.host}/app@${digest}\n`);
    const occurrence = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(occurrence.resourceUri).toBe(`https://${registry.host}/app@${digest}`);
    expect(occurrence.signedImage).toMatchObject({ digest, resolvedTag: 'v1' });
    const payload = JSON.parse(signatureOf(occurrence).payload?.toString('utf8') ?? '{}');
    expect(payload.critical.image['docker-manifest-digest']).toBe(digest);
    const verified = await verify(`${registry.host}/app@${digest}`);
    expect(verified.stdout).toContain(`ATTESTED: https://${registry.host}/app@${digest}`);
    expect(verified.code).toBe(0);
  });

  it('a multi-arch tag: signs the index digest, what the kubelet pulls', async () => {
    const { raw: digest } = await skopeoDigests(`${registry.host}/app:multi`);
    const run = await signByTag(`${registry.host}/app:multi`);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Record<string, unknown>).resourceUri).toBe(
      `https://${registry.host}/app@${digest}`,
    );
  });

  it('a tag moved after signing: the signature stays with the old digest, the tag is no longer attested', async () => {
    await push(layout, 'single', `${registry.host}/app:moving`);
    const { raw: before } = await skopeoDigests(`${registry.host}/app:moving`);
    expect((await signByTag(`${registry.host}/app:moving`)).code).toBe(0);
    await push(layout, 'single', `${registry.host}/app:moving`, { format: 'v2s2' });
    const { raw: after } = await skopeoDigests(`${registry.host}/app:moving`);
    expect(after).not.toBe(before);
    const byTag = await verify(`${registry.host}/app:moving`);
    expect(byTag.stderr).toContain(`to ${registry.host}/app@${after}`);
    expect(byTag.code).toBe(1);
    expect((await verify(`${registry.host}/app@${before}`)).code).toBe(0);
  });

  it('an unknown tag: exit 2 with the registry and the status', async () => {
    const run = await signByTag(`${registry.host}/app:nope`);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { code: 'REGISTRY_TAG_UNKNOWN', message: expect.stringContaining(`registry ${registry.host}`) },
    });
  });
});
