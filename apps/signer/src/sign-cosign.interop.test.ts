import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistryClient } from '@signet/registry';
import {
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
} from '@signet/registry/test-support';
import {
  readCosignPublicKey,
  SIGNATURE_ANNOTATION,
  verifyCosignAttestation,
  verifyCosignSignature,
} from '@signet/signing/cosign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: `signet sign --cosign-key` with cosign's recorded encrypted keys
// (testdata/cosign) against Debian's docker-registry (anonymous, plain HTTP), images from umoci pushed
// with skopeo; what it wrote is read back and verified. A missing tool fails.

const KEYS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys');
const COSIGN_ENV = { COSIGN_PASSWORD: 'signet-test-vectors' };
let sandbox: Sandbox;
let registry: RunningRegistry;
let digest: string;

interface SignJson {
  cosign: { repository: string; tag: string; manifestDigest: string; layers: number; appended: boolean };
  signedImage: { pinned: string; resolvedTag?: string };
}

const sign = async (image: string, key: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => {
  const run = await runSignet(
    ['--output', 'json', 'sign', '--image', image, '--cosign-key', join(KEYS, `${key}.key`)].concat(
      '--insecure-registry',
      registry.host,
      extra,
    ),
    { ...sandbox.env, ...COSIGN_ENV, ...env },
  );
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as SignJson;
};

function publicKey(name: string) {
  const reading = readCosignPublicKey(readFileSync(join(KEYS, `${name}.pub`)).toString('base64'));
  if (!reading.valid) throw new Error(reading.message);
  return reading.key;
}

beforeAll(async () => {
  sandbox = createSandbox();
  registry = await startRegistry(join(sandbox.dir, 'registry'), { kind: 'anonymous' });
  await push(await makeLayout(sandbox.dir), 'single', `${registry.host}/team/app:v1`);
  digest = (await skopeoDigests(`${registry.host}/team/app:v1`)).raw;
});

afterAll(async () => {
  await registry?.stop();
  sandbox?.cleanup();
});

describe('signet sign --cosign-key against distribution 2.8', () => {
  it('signs the digest a tag names, and the signatures read back verify with the recorded keys', async () => {
    const name = `${registry.host}/team/app`;
    const first = await sign(`${name}:v1`, 'ecdsa-p256');
    expect(first.signedImage).toMatchObject({ pinned: `${name}@${digest}`, resolvedTag: 'v1' });
    expect(first.cosign).toMatchObject({
      repository: name,
      tag: `${digest.replace(':', '-')}.sig`,
      layers: 1,
      appended: true,
    });
    const second = await sign(`${name}@${digest}`, 'ed25519');
    expect(second.cosign.layers).toBe(2);

    const read = await createRegistryClient({ insecureRegistries: [registry.host] }).readCosignArtifacts(
      `${name}@${digest}`,
    );
    expect(read.signatures.digest).toBe(second.cosign.manifestDigest);
    const image = { name, digest };
    const valid = read.signatures.layers.map(
      (layer, n) =>
        verifyCosignSignature(
          publicKey(n === 0 ? 'ecdsa-p256' : 'ed25519'),
          layer.bytes,
          layer.annotations[SIGNATURE_ANNOTATION]!,
          image,
        ).valid,
    );
    expect(valid).toEqual([true, true]);
  });

  it('signing again with a key that signed already writes nothing (an ECDSA signature differs each time)', async () => {
    const again = await sign(`${registry.host}/team/app@${digest}`, 'ecdsa-p256');
    expect(again.cosign).toMatchObject({ appended: false, layers: 2 });
  });

  it('COSIGN_REPOSITORY stores the signature elsewhere, naming the image repository in the payload', async () => {
    const store = `${registry.host}/signatures/store`;
    const written = await sign(`${registry.host}/team/app@${digest}`, 'ecdsa-p256', [], {
      COSIGN_REPOSITORY: store,
    });
    expect(written.cosign).toMatchObject({ repository: store, layers: 1, appended: true });
    const read = await createRegistryClient({ insecureRegistries: [registry.host] }).readCosignArtifacts(
      `${registry.host}/team/app@${digest}`,
      { repository: store },
    );
    const layer = read.signatures.layers[0]!;
    const image = { name: `${registry.host}/team/app`, digest };
    const verdict = verifyCosignSignature(
      publicKey('ecdsa-p256'),
      layer.bytes,
      layer.annotations[SIGNATURE_ANNOTATION]!,
      image,
    );
    expect(verdict.valid).toBe(true);
  });

  it('--predicate --type writes an attestation to the .att tag that verifies', async () => {
    const name = `${registry.host}/team/app`;
    const predicate = join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'predicate-slsa1.json');
    const written = await sign(`${name}@${digest}`, 'ed25519', [
      '--predicate',
      predicate,
      '--type',
      'https://slsa.dev/provenance/v1',
    ]);
    expect(written.cosign).toMatchObject({
      tag: `${digest.replace(':', '-')}.att`,
      layers: 1,
      appended: true,
    });
    const read = await createRegistryClient({ insecureRegistries: [registry.host] }).readCosignArtifacts(
      `${name}@${digest}`,
    );
    const verdict = verifyCosignAttestation(publicKey('ed25519'), read.attestations.layers[0]!.bytes, {
      name,
      digest,
    });
    expect(verdict.valid && verdict.predicateType).toBe('https://slsa.dev/provenance/v1');
  });
});
