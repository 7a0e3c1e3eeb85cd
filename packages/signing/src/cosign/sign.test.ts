import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COSIGN_IMAGE, cosignBlob, cosignFile, cosignManifest } from '../test-support/cosign-vectors.js';
import { readCosignPublicKey } from './cosign-key.js';
import { type CosignSigningKey, readCosignPrivateKey } from './private-key.js';
import { buildCosignPayload, cosignDockerReference, makeCosignSignatureLayer } from './sign.js';
import { SIGNATURE_ANNOTATION, verifyCosignSignature } from './simple-signing.js';

const DIGEST = COSIGN_IMAGE.digest;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

function signingKey(pair: { privateKey: KeyObject; publicKey: KeyObject }): CosignSigningKey {
  const pem = String(pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const reading = readCosignPublicKey(Buffer.from(pem).toString('base64'));
  if (!reading.valid) throw new Error(reading.message);
  return { privateKey: pair.privateKey, publicKey: reading.key };
}

const KEYS = {
  'ecdsa-p256': () => signingKey(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  'ecdsa-p384': () => signingKey(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  rsa: () => signingKey(generateKeyPairSync('rsa', { modulusLength: 2048 })),
  ed25519: () => signingKey(generateKeyPairSync('ed25519')),
};

describe('buildCosignPayload', () => {
  it('writes the bytes cosign 2.5 signed for a registry with a port', () => {
    const layer = cosignManifest('app.sig.manifest.json').layers[0]!;
    expect(text(buildCosignPayload(COSIGN_IMAGE))).toBe(text(cosignBlob(layer.digest)));
  });

  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['docker.io-team-app', 'docker.io/team/app'],
    ['localhost-5000-a-b', 'localhost:5000/a/b'],
  ])('writes what `cosign generate` printed for %s', (file, name) => {
    const recorded = cosignFile(`generate/${file}.payload.json`).toString('utf8');
    expect(text(buildCosignPayload({ name, digest: DIGEST }))).toBe(recorded);
  });

  it('names Docker Hub as go-containerregistry does', () => {
    expect(cosignDockerReference('docker.io/library/nginx')).toBe('index.docker.io/library/nginx');
    expect(cosignDockerReference('ghcr.io/o/r')).toBe('ghcr.io/o/r');
  });

  it('refuses an image not pinned by a sha256 digest', () => {
    expect(() => buildCosignPayload({ name: 'ghcr.io/o/r', digest: 'latest' })).toThrow(/sha256 digest/);
  });
});

describe('makeCosignSignatureLayer', () => {
  it.each(Object.entries(KEYS))('signs with %s so that verifyCosignSignature accepts it', (_, make) => {
    const key = make();
    const layer = makeCosignSignatureLayer(key, COSIGN_IMAGE);
    const result = verifyCosignSignature(
      key.publicKey,
      layer.bytes,
      layer.annotations[SIGNATURE_ANNOTATION]!,
      COSIGN_IMAGE,
    );
    expect(result).toEqual({ valid: true, dockerReference: COSIGN_IMAGE.name, optional: null });
  });

  it('signs with the recorded cosign key: the recorded public key verifies it, another key does not', () => {
    const key = readCosignPrivateKey(
      cosignFile('keys/ecdsa-p256.key').toString('utf8'),
      'signet-test-vectors',
    );
    const layer = makeCosignSignatureLayer(key, COSIGN_IMAGE);
    const signature = layer.annotations[SIGNATURE_ANNOTATION]!;
    const recorded = readCosignPublicKey(cosignFile('keys/ecdsa-p256.pub').toString('base64'));
    const other = readCosignPublicKey(cosignFile('keys/ecdsa-p384.pub').toString('base64'));
    expect(
      recorded.valid && verifyCosignSignature(recorded.key, layer.bytes, signature, COSIGN_IMAGE).valid,
    ).toBe(true);
    expect(other.valid && verifyCosignSignature(other.key, layer.bytes, signature, COSIGN_IMAGE).valid).toBe(
      false,
    );
  });

  it('names the digest signed: the signature does not verify for another digest', () => {
    const key = KEYS.ed25519();
    const layer = makeCosignSignatureLayer(key, COSIGN_IMAGE);
    const other = { ...COSIGN_IMAGE, digest: `sha256:${'0'.repeat(64)}` };
    const result = verifyCosignSignature(
      key.publicKey,
      layer.bytes,
      layer.annotations[SIGNATURE_ANNOTATION]!,
      other,
    );
    expect(result.valid === false && result.code).toBe('COSIGN_DIGEST_MISMATCH');
  });
});
