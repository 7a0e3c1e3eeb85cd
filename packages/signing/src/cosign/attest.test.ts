import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COSIGN_IMAGE, cosignBlob, cosignFile, cosignManifest } from '../test-support/cosign-vectors.js';
import { makeCosignAttestationLayer } from './attest.js';
import { readCosignPublicKey } from './cosign-key.js';
import { verifyCosignAttestation } from './dsse.js';
import { type CosignSigningKey, readCosignPrivateKey } from './private-key.js';

const SLSA = 'https://slsa.dev/provenance/v1';
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

function signingKey(pair: { privateKey: KeyObject; publicKey: KeyObject }): CosignSigningKey {
  const pem = String(pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const reading = readCosignPublicKey(Buffer.from(pem).toString('base64'));
  if (!reading.valid) throw new Error(reading.message);
  return { privateKey: pair.privateKey, publicKey: reading.key };
}

/** What cosign 2.5 recorded in the `.att` layer: its envelope and the statement inside. */
function recorded() {
  const layer = cosignManifest('app.att.manifest.json').layers[0]!;
  const envelope = JSON.parse(text(cosignBlob(layer.digest))) as {
    payload: string;
    signatures: { sig: string }[];
  };
  const statement = Buffer.from(envelope.payload, 'base64').toString('utf8');
  return {
    layer,
    envelope,
    statement,
    predicate: (JSON.parse(statement) as { predicate: unknown }).predicate,
  };
}

describe('makeCosignAttestationLayer', () => {
  it('writes the statement, envelope and annotations cosign 2.5 wrote, but for the signature', () => {
    const key = readCosignPrivateKey(
      cosignFile('keys/ecdsa-p256.key').toString('utf8'),
      'signet-test-vectors',
    );
    const cosign = recorded();
    const made = makeCosignAttestationLayer(key, COSIGN_IMAGE, SLSA, cosign.predicate);
    const envelope = JSON.parse(text(made.bytes)) as { payload: string; signatures: { sig: string }[] };
    expect(Buffer.from(envelope.payload, 'base64').toString('utf8')).toBe(cosign.statement);
    const withTheirSignature = text(made.bytes).replace(
      envelope.signatures[0]!.sig,
      cosign.envelope.signatures[0]!.sig,
    );
    expect(withTheirSignature).toBe(text(cosignBlob(cosign.layer.digest)));
    expect(made.annotations).toEqual(cosign.layer.annotations);
    expect(made.mediaType).toBe(cosign.layer.mediaType);
  });

  it('sorts the predicate keys as Go writes a map', () => {
    const key = signingKey(generateKeyPairSync('ed25519'));
    const made = makeCosignAttestationLayer(key, COSIGN_IMAGE, SLSA, {
      b: 1,
      a: { d: [{ z: 1, y: 2 }], c: 2 },
    });
    const envelope = JSON.parse(text(made.bytes)) as { payload: string };
    expect(Buffer.from(envelope.payload, 'base64').toString('utf8')).toContain(
      '"predicate":{"a":{"c":2,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it.each([
    ['ecdsa-p256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ecdsa-p384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['rsa', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ed25519', () => generateKeyPairSync('ed25519')],
  ] as const)('signs with %s so that verifyCosignAttestation accepts it', (_, pair) => {
    const key = signingKey(pair());
    const made = makeCosignAttestationLayer(key, COSIGN_IMAGE, SLSA, { builder: 'ci' });
    const result = verifyCosignAttestation(key.publicKey, made.bytes, COSIGN_IMAGE);
    expect(result).toEqual({ valid: true, predicateType: SLSA, predicate: { builder: 'ci' } });
  });

  it('refuses a predicate type that is not a URI, and an image not pinned', () => {
    const key = signingKey(generateKeyPairSync('ed25519'));
    expect(() => makeCosignAttestationLayer(key, COSIGN_IMAGE, 'slsa provenance', {})).toThrow(/not a URI/);
    expect(() => makeCosignAttestationLayer(key, { ...COSIGN_IMAGE, digest: 'latest' }, SLSA, {})).toThrow(
      /sha256 digest/,
    );
  });
});
