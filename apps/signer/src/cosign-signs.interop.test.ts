import { createHash } from 'node:crypto';
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
import { cosignAuthorityYaml, OCI_MANIFEST, SLSA_V1 } from './test-support/cosign-vectors.js';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: the live direction "cosign signs → Signet admits". Real cosign 2.5
// makes its own key pair, signs and attests a freshly pushed image in Debian's docker-registry
// (--tlog-upload=false), and `signet verify` judges it. The refusals here are the ones that need the
// registry to hold what cosign wrote (a copied .sig with one byte changed, an empty .sig, another digest,
// another key, another predicate type); the recorded-vector tests cover the rest (see README).
// Without cosign it fails.

const PASSWORD = 'cosign made this';
const PREDICATE = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'predicate-slsa1.json');
const RECORDED_PUB = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys', 'ecdsa-p256.pub');
let sandbox: Sandbox;
let registry: RunningRegistry;
let pinned: string;
let unsigned: string;
let sigTag: string;
let prefix: string;

const cosign = (args: string[]) => runCosign(args, { HOME: sandbox.dir, COSIGN_PASSWORD: PASSWORD });
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface AuthorityOptions {
  publicKey?: string;
  repository?: string;
  predicateTypes?: string[];
}

/** An authority file trusting cosign's .pub (or `publicKey`), reading from `repository` if given. */
function authority(name: string, options: AuthorityOptions = {}): string {
  const publicKeyData = readFileSync(options.publicKey ?? `${prefix}.pub`).toString('base64');
  const yaml = cosignAuthorityYaml(name, {
    ...(options.repository ? { repository: `${registry.host}/${options.repository}` } : {}),
    ...(options.predicateTypes ? { predicateTypes: options.predicateTypes } : {}),
  }).replace(/publicKeyData: \S+/, `publicKeyData: ${publicKeyData}`);
  return sandbox.write(`${name}.yaml`, yaml);
}

const verify = (image: string, authorityFile: string) =>
  runSignet(
    [
      '--output',
      'json',
      'verify',
      '--image',
      image,
      '--authority',
      authorityFile,
      '--insecure-registry',
      registry.host,
    ],
    sandbox.env,
  );

interface CosignJson {
  met: boolean;
  signatures: { tag: string; found: boolean; layers: number };
  attestations?: { tag: string; found: boolean; layers: number };
  rejected?: { code: string; reason: string }[];
}
const cosignOf = (stdout: string) =>
  (JSON.parse(stdout) as { authorities: { cosign: CosignJson }[] }).authorities[0]!.cosign;

async function registryGet(path: string, accept?: string): Promise<Buffer> {
  const response = await fetch(`http://${registry.host}/v2/${path}`, {
    headers: accept ? { accept } : {},
  });
  expect(response.status, path).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function pushBlob(repository: string, bytes: Uint8Array): Promise<void> {
  const base = `http://${registry.host}`;
  const started = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  expect(started.status).toBe(202);
  const upload = new URL(started.headers.get('location') ?? '', base);
  upload.searchParams.set('digest', sha256(bytes));
  expect((await fetch(upload, { method: 'PUT', body: bytes })).status).toBe(201);
}

async function putManifest(repository: string, tag: string, body: Buffer): Promise<void> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': OCI_MANIFEST },
    body,
  });
  expect(response.status).toBe(201);
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}
interface Manifest {
  config: Descriptor;
  layers: Descriptor[];
}

/**
 * Copies the .sig manifest cosign wrote for team/app to `repository` (same tag), its blobs included;
 * `edit` may change the payload blob's bytes, and the manifest then names the new blob by its true
 * digest and size, so only the signature can fail.
 */
async function copySignatures(repository: string, edit?: (payload: Buffer) => Buffer): Promise<void> {
  const manifest = JSON.parse(
    (await registryGet(`team/app/manifests/${sigTag}`, OCI_MANIFEST)).toString('utf8'),
  ) as Manifest;
  const config = await registryGet(`team/app/blobs/${manifest.config.digest}`);
  await pushBlob(repository, config);
  const layers: Descriptor[] = [];
  for (const layer of manifest.layers) {
    const original = await registryGet(`team/app/blobs/${layer.digest}`);
    const bytes = edit ? edit(original) : original;
    await pushBlob(repository, bytes);
    layers.push({ ...layer, digest: sha256(bytes), size: bytes.length });
  }
  await putManifest(repository, sigTag, Buffer.from(JSON.stringify({ ...manifest, layers })));
}

beforeAll(async () => {
  sandbox = createSandbox();
  expect((await cosign(['version'])).code).toBe(0);
  registry = await startRegistry(join(sandbox.dir, 'registry'), { kind: 'anonymous' });
  const layout = await makeLayout(sandbox.dir);
  await push(layout, 'single', `${registry.host}/team/app:v1`);
  await push(layout, 'other', `${registry.host}/team/app:unsigned`);
  const digest = (await skopeoDigests(`${registry.host}/team/app:v1`)).raw;
  pinned = `${registry.host}/team/app@${digest}`;
  unsigned = `${registry.host}/team/app@${(await skopeoDigests(`${registry.host}/team/app:unsigned`)).raw}`;
  expect(unsigned).not.toBe(pinned);
  sigTag = `${digest.replace(':', '-')}.sig`;
  prefix = join(sandbox.dir, 'build');
  const keys = await cosign(['generate-key-pair', '--output-key-prefix', prefix]);
  expect(keys.code, keys.stderr).toBe(0);
  const common = ['--key', `${prefix}.key`, '--tlog-upload=false', '--allow-insecure-registry', '-y'];
  const signed = await cosign(['sign', ...common, pinned]);
  expect(signed.code, signed.stderr).toBe(0);
  const attested = await cosign(['attest', ...common, '--type', SLSA_V1, '--predicate', PREDICATE, pinned]);
  expect(attested.code, attested.stderr).toBe(0);
});

afterAll(async () => {
  await registry?.stop();
  sandbox?.cleanup();
});

describe('cosign 2.5 signs and attests → signet verify admits', () => {
  it('admits the signed digest with the signature and the SLSA v1 attestation cosign wrote', async () => {
    const run = await verify(pinned, authority('build', { predicateTypes: [SLSA_V1] }));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(cosignOf(run.stdout)).toMatchObject({
      met: true,
      signatures: { tag: sigTag, found: true, layers: 1 },
      attestations: { tag: sigTag.replace(/\.sig$/, '.att'), found: true, layers: 1 },
    });
  });
});

describe('and refuses (exit 1)', () => {
  it('under a key that did not sign (the recorded P-256 key)', async () => {
    const run = await verify(pinned, authority('stranger', { publicKey: RECORDED_PUB }));
    expect(run.code).toBe(1);
    expect(cosignOf(run.stdout).rejected?.[0]?.reason).toContain(
      `no cosign signature in tag ${sigTag} of repository ${registry.host}/team/app verifies`,
    );
  });

  it('another digest of the same repository, which cosign did not sign', async () => {
    const run = await verify(unsigned, authority('build-unsigned'));
    expect(run.code).toBe(1);
    const tag = `${unsigned.split('@')[1]!.replace(':', '-')}.sig`;
    expect(cosignOf(run.stdout).rejected?.[0]?.reason).toContain(
      `no signature found: tag ${tag} of repository ${registry.host}/team/app does not exist`,
    );
  });

  it('when an attestation of another predicate type is required (the SLSA one is there)', async () => {
    const other = 'https://example.com/other/v1';
    const run = await verify(pinned, authority('other-type', { predicateTypes: [other] }));
    expect(run.code).toBe(1);
    const reason = cosignOf(run.stdout).rejected?.[0]?.reason ?? '';
    expect(reason).toContain(`no verified cosign attestation of predicate type ${other}`);
    expect(reason).toContain(`signed predicate type ${SLSA_V1}`);
  });

  it('a tampered layer: the .sig copied with one payload byte changed (its true digest) fails its signature', async () => {
    await copySignatures('team/copy');
    const copy = await verify(pinned, authority('copy', { repository: 'team/copy' }));
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    await copySignatures('team/tampered', (payload) => {
      const changed = Buffer.from(payload);
      const at = changed.indexOf('cosign container image signature');
      expect(at).toBeGreaterThan(0);
      changed[at] = 'C'.charCodeAt(0);
      return changed;
    });
    const run = await verify(pinned, authority('tampered', { repository: 'team/tampered' }));
    expect(run.code).toBe(1);
    const cosignJson = cosignOf(run.stdout);
    expect(cosignJson.signatures).toMatchObject({ found: true, layers: 1 });
    expect(cosignJson.rejected?.[0]?.reason).toMatch(/layer 1: .*COSIGN_SIGNATURE_INVALID/);
  });

  it('an empty .sig tag: a manifest with no layers', async () => {
    const config = Buffer.from('{}');
    await pushBlob('team/empty', config);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: 2 },
      layers: [],
    };
    await putManifest('team/empty', sigTag, Buffer.from(JSON.stringify(manifest)));
    const run = await verify(pinned, authority('empty', { repository: 'team/empty' }));
    expect(run.code).toBe(1);
    expect(cosignOf(run.stdout).rejected?.[0]?.reason).toContain(
      `tag ${sigTag} of repository ${registry.host}/team/empty holds no signature`,
    );
  });
});
