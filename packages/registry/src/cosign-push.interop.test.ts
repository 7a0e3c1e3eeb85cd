import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  makeCosignSignatureLayer,
  readCosignPrivateKey,
  readCosignPublicKey,
  SIGNATURE_ANNOTATION,
  verifyCosignSignature,
} from '@signet/signing/cosign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.js';
import { dockerConfigCredentials } from './credentials.js';
import { makeLayout, push, skopeoDigests } from './test-support/images.js';
import { makePki, makeTokenSigner, type TestPki } from './test-support/pki.js';
import { freePort, type RunningRegistry, startRegistry } from './test-support/registry-server.js';
import { type RunningTokenServer, startTokenServer } from './test-support/token-server.js';

// Runs under `pnpm test:interop` only: signatures made with cosign's recorded encrypted keys
// (testdata/cosign) are written to Debian's docker-registry (distribution 2.8) with
// attachCosignSignature, anonymously and behind Bearer tokens (which must grant push), read back with
// readCosignArtifacts and verified against the recorded public keys.

const VECTORS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign');
const PASSWORD = 'signet-test-vectors';
const USER = 'ci';
const USER_PASSWORD = 'token-pass';
const SERVICE = 'signet-test-registry';

let dir: string;
const stops: (() => Promise<void>)[] = [];

const vector = (file: string) => readFileSync(join(VECTORS, file));
const signingKey = (name: string) =>
  readCosignPrivateKey(vector(`keys/${name}.key`).toString('utf8'), PASSWORD);
function publicKey(name: string) {
  const reading = readCosignPublicKey(vector(`keys/${name}.pub`).toString('base64'));
  if (!reading.valid) throw new Error(reading.message);
  return reading.key;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-registry-cosign-push-'));
});

afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('attachCosignSignature against distribution 2.8', () => {
  let registry: RunningRegistry;
  let image: { name: string; digest: string };

  beforeAll(async () => {
    registry = await startRegistry(join(dir, 'anonymous'), { kind: 'anonymous' });
    stops.push(() => registry.stop());
    const name = `${registry.host}/signet/app`;
    await push(await makeLayout(dir), 'single', `${name}:v1`);
    image = { name, digest: (await skopeoDigests(`${name}:v1`)).raw };
  });

  it('two signatures with the recorded cosign keys are stored in one .sig manifest and verify', async () => {
    const client = createRegistryClient({ insecureRegistries: [registry.host] });
    const pinned = `${image.name}@${image.digest}`;
    const first = await client.attachCosignSignature(pinned, {
      layer: makeCosignSignatureLayer(signingKey('ecdsa-p256'), image),
    });
    const second = await client.attachCosignSignature(pinned, {
      layer: makeCosignSignatureLayer(signingKey('ed25519'), image),
    });
    expect([first.layers, second.layers, second.appended]).toEqual([1, 2, true]);
    expect(second.tag).toBe(`${image.digest.replace(':', '-')}.sig`);

    const read = await createRegistryClient({ insecureRegistries: [registry.host] }).readCosignArtifacts(
      pinned,
    );
    expect(read.signatures.digest).toBe(second.digest);
    const verdicts = read.signatures.layers.map((layer, n) =>
      verifyCosignSignature(
        publicKey(n === 0 ? 'ecdsa-p256' : 'ed25519'),
        layer.bytes,
        layer.annotations[SIGNATURE_ANNOTATION]!,
        image,
      ),
    );
    expect(verdicts.map((v) => v.valid)).toEqual([true, true]);
  });

  it('the same Ed25519 signature again (deterministic) writes nothing', async () => {
    const client = createRegistryClient({ insecureRegistries: [registry.host] });
    const again = await client.attachCosignSignature(`${image.name}@${image.digest}`, {
      layer: makeCosignSignatureLayer(signingKey('ed25519'), image),
    });
    expect([again.appended, again.layers]).toEqual([false, 2]);
  });
});

describe('attachCosignSignature behind Bearer tokens', () => {
  let pki: TestPki;
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;
  let name: string;

  beforeAll(async () => {
    mkdirSync(join(dir, 'pki'));
    pki = await makePki(join(dir, 'pki'));
    const signer = await makeTokenSigner(join(dir, 'pki'));
    tokens = await startTokenServer({
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
      signer,
      issuer: 'signet-test-issuer',
      service: SERVICE,
      username: USER,
      password: USER_PASSWORD,
      expiresIn: 300,
    });
    stops.push(() => tokens.stop());
    const port = await freePort();
    registry = await startRegistry(
      join(dir, 'token'),
      {
        kind: 'token',
        tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caPem: pki.caPem },
        realm: `https://localhost:${tokens.port}/token`,
        service: SERVICE,
        issuer: 'signet-test-issuer',
        rootCertFile: signer.certFile,
      },
      port,
    );
    stops.push(() => registry.stop());
    name = `localhost:${registry.port}/team/app`;
    const creds = { creds: `${USER}:${USER_PASSWORD}`, certDir: pki.certDir };
    mkdirSync(join(dir, 'token-layout'));
    await push(await makeLayout(join(dir, 'token-layout')), 'single', `${name}:v1`, creds);
  });

  it('asks for a push token even when a pull token for the repository is held, and writes', async () => {
    const client = createRegistryClient({
      ca: pki.caPem,
      credentials: dockerConfigCredentials(
        JSON.stringify({
          auths: { [`localhost:${registry.port}`]: { username: USER, password: USER_PASSWORD } },
        }),
        'config.json',
      ),
    });
    const resolved = await client.resolve(`${name}:v1`); // a pull token, now cached
    const image = { name, digest: resolved.digest };
    const write = await client.attachCosignSignature(`${name}@${resolved.digest}`, {
      layer: makeCosignSignatureLayer(signingKey('ecdsa-p256'), image),
    });
    expect(write).toMatchObject({ repository: name, appended: true, layers: 1 });
    const read = await client.readCosignArtifacts(`${name}@${resolved.digest}`);
    const layer = read.signatures.layers[0]!;
    const verdict = verifyCosignSignature(
      publicKey('ecdsa-p256'),
      layer.bytes,
      layer.annotations[SIGNATURE_ANNOTATION]!,
      image,
    );
    expect(verdict.valid).toBe(true);
  });
});
