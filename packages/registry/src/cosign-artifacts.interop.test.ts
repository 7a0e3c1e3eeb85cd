import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CosignPublicKey,
  readCosignPublicKey,
  SIGNATURE_ANNOTATION,
  verifyCosignAttestation,
  verifyCosignBundle,
  verifyCosignSignature,
} from '@signet/signing/cosign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.js';
import { sha256Digest } from './manifest.js';
import { type RunningRegistry, startRegistry } from './test-support/registry-server.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry (distribution 2.8, which has no referrers
// API). What cosign 2.5 wrote (testdata/cosign) is pushed back byte for byte with plain HTTP PUTs, read
// with readCosignArtifacts and verified with @signet/signing/cosign: the bytes survive the round trip.

const VECTORS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign');
const IMAGE_DIGEST = 'sha256:3601fa8a5a80dba862b9c4a0fb4ae8d393bf4f30d720aa94a7f395facb22e55a';
const TAG = IMAGE_DIGEST.replace(':', '-');
/** The image as cosign signed it: the payloads name this repository, whatever registry holds them now. */
const SIGNED_AS = { name: '127.0.0.1:5123/signet/app', digest: IMAGE_DIGEST };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

let dir: string;
let registry: RunningRegistry;

function vector(file: string): Buffer {
  return readFileSync(join(VECTORS, file));
}

function publicKey(name: string): CosignPublicKey {
  const reading = readCosignPublicKey(vector(`keys/${name}.pub`).toString('base64'));
  if (!reading.valid) throw new Error(`${name}: ${reading.message}`);
  return reading.key;
}

async function pushBlob(repo: string, bytes: Buffer): Promise<void> {
  const base = `http://${registry.host}`;
  const started = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(started.status).toBe(202);
  const upload = new URL(started.headers.get('location')!, base);
  upload.searchParams.set('digest', sha256Digest(bytes));
  const done = await fetch(upload, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(done.status).toBe(201);
}

/** The manifest and every blob it names, byte for byte, under `reference` (a tag or its digest). */
async function pushManifest(repo: string, reference: string, file: string, mediaType: string): Promise<void> {
  const body = vector(file);
  const manifest = JSON.parse(body.toString()) as {
    config?: { digest: string };
    layers?: { digest: string }[];
  };
  const digests = new Set([manifest.config?.digest, ...(manifest.layers ?? []).map((l) => l.digest)]);
  for (const digest of digests) {
    if (digest !== undefined) await pushBlob(repo, vector(`blobs/${digest.replace('sha256:', '')}`));
  }
  const put = await fetch(`http://${registry.host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body,
  });
  expect(put.status, await put.text()).toBe(201);
  expect(put.headers.get('docker-content-digest')).toBe(sha256Digest(body));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-registry-cosign-'));
  registry = await startRegistry(join(dir, 'registry'), { kind: 'anonymous' });
  await pushManifest('signet/app', `${TAG}.sig`, 'app.sig.manifest.json', OCI_MANIFEST);
  await pushManifest('signet/app', `${TAG}.att`, 'app.att.manifest.json', OCI_MANIFEST);
  await pushManifest('signet/other', `${TAG}.sig`, 'other.sig.manifest.json', OCI_MANIFEST);
  const bundleDigest = sha256Digest(vector('bundle.manifest.json'));
  await pushManifest('signet/bundle', bundleDigest, 'bundle.manifest.json', OCI_MANIFEST);
  await pushManifest('signet/bundle', TAG, 'bundle.referrers-index.json', OCI_INDEX);
});

afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function read(repository: string) {
  return createRegistryClient({ insecureRegistries: [registry.host] }).readCosignArtifacts(
    `${SIGNED_AS.name}@${IMAGE_DIGEST}`,
    { repository: `${registry.host}/${repository}` },
  );
}

describe("cosign 2.5's recorded artifacts, pushed to distribution 2.8 and read back", () => {
  it('the .sig tag: four layers, each verified with its key (P-256, Ed25519, RSA-3072, P-384)', async () => {
    const artifacts = await read('signet/app');
    expect(artifacts.repository).toBe(`${registry.host}/signet/app`);
    expect(artifacts.signatures).toMatchObject({
      tag: `${TAG}.sig`,
      digest: sha256Digest(vector('app.sig.manifest.json')),
      found: true,
    });
    const keys = ['ecdsa-p256', 'ed25519', 'rsa-3072', 'ecdsa-p384'].map(publicKey);
    const results = artifacts.signatures.layers.map((layer, n) =>
      verifyCosignSignature(keys[n]!, layer.bytes, layer.annotations[SIGNATURE_ANNOTATION] ?? '', SIGNED_AS),
    );
    expect(results.map((r) => r.valid)).toEqual([true, true, true, true]);
    const recorded = vector('blobs/1b14d85e28c067a8220a7169d93bf0bdf117bcaef12b2f568ead3d118327d4c2');
    expect(Buffer.from(artifacts.signatures.layers[0]!.bytes).equals(recorded)).toBe(true);
  });

  it('the .att tag: the DSSE envelope verifies, its signed predicate type is SLSA provenance v1', async () => {
    const artifacts = await read('signet/app');
    expect(artifacts.attestations.layers).toHaveLength(1);
    const result = verifyCosignAttestation(
      publicKey('ecdsa-p256'),
      artifacts.attestations.layers[0]!.bytes,
      SIGNED_AS,
    );
    expect(result).toMatchObject({ valid: true, predicateType: 'https://slsa.dev/provenance/v1' });
  });

  it('the bundle: no referrers API on distribution 2.8, so the fallback tag; the bundle verifies', async () => {
    const artifacts = await read('signet/bundle');
    expect(artifacts.referrers).toEqual({ via: 'tag', tag: TAG, found: true });
    expect(artifacts.skipped).toEqual([]);
    expect(artifacts.bundles).toHaveLength(1);
    const [bundle] = artifacts.bundles;
    expect(bundle).toMatchObject({ tag: TAG, digest: sha256Digest(vector('bundle.manifest.json')) });
    expect(bundle!.layers).toHaveLength(1);
    const result = verifyCosignBundle(publicKey('ecdsa-p256'), bundle!.layers[0]!.bytes, SIGNED_AS);
    expect(result).toMatchObject({ valid: true, predicateType: 'https://slsa.dev/provenance/v1' });
  });

  it("signet/other's signature is read, and refused for signet/app: it names its own repository", async () => {
    const artifacts = await read('signet/other');
    const layer = artifacts.signatures.layers[0]!;
    const key = publicKey('ecdsa-p256');
    const signature = layer.annotations[SIGNATURE_ANNOTATION] ?? '';
    expect(verifyCosignSignature(key, layer.bytes, signature, SIGNED_AS)).toMatchObject({
      valid: false,
      code: 'COSIGN_REPOSITORY_MISMATCH',
    });
    const asOther = { name: '127.0.0.1:5123/signet/other', digest: IMAGE_DIGEST };
    expect(verifyCosignSignature(key, layer.bytes, signature, asOther).valid).toBe(true);
  });

  it('nothing signed: an unknown tag and an unknown repository are found: false', async () => {
    const unsigned = await read('signet/other');
    expect([unsigned.attestations.found, unsigned.referrers]).toEqual([
      false,
      { via: 'tag', tag: TAG, found: false },
    ]);
    const nowhere = await read('signet/none');
    expect([nowhere.signatures.found, nowhere.attestations.found, nowhere.bundles]).toEqual([
      false,
      false,
      [],
    ]);
  });

  it('read through the image itself (no repository option): the registry the image names is asked', async () => {
    const artifacts = await createRegistryClient({ insecureRegistries: [registry.host] }).readCosignArtifacts(
      `${registry.host}/signet/app@${IMAGE_DIGEST}`,
    );
    expect(artifacts.signatures.layers).toHaveLength(4);
    expect(artifacts.attestations.layers).toHaveLength(1);
  });
});
