import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { AttestationEvidence } from './metadata.js';
import { authority, DIGEST_A } from './test-support/resources.js';
import {
  type PgpSigner,
  pgpAttestation,
  pgpSigner,
  pkixAttestation,
  pkixSigner,
} from './test-support/signers.js';
import { AttestationVerifier, BoundedCache } from './verifier.js';

// createHash as node:crypto has it, counted: a warm cosign check must hash nothing.
vi.mock('node:crypto', async (original) => {
  const crypto = await original<typeof import('node:crypto')>();
  return { ...crypto, createHash: vi.fn(crypto.createHash) };
});

const NOTE = 'projects/a/notes/qa';
const IMAGE = { name: 'gcr.io/team/app', digest: DIGEST_A };
let qa: PgpSigner;
let other: PgpSigner;

beforeAll(async () => {
  [qa, other] = await Promise.all([pgpSigner('qa'), pgpSigner('other')]);
});

describe('AttestationVerifier', () => {
  it('refuses an authority whose declared keyId is not its key’s fingerprint', async () => {
    const wrongId = authority('qa', {
      noteReference: NOTE,
      publicKeys: [
        { keyType: 'PGP', keyId: other.fingerprint, asciiArmoredPgpPublicKey: qa.publicKeyBase64 },
      ],
    });
    const evidence = await pgpAttestation(qa.privateKey, IMAGE, { noteName: NOTE });
    const check = await new AttestationVerifier().verify(wrongId, evidence, IMAGE);
    expect(check).toMatchObject({ valid: false, code: 'AUTHORITY_KEY_ID_MISMATCH' });
  });

  it('picks the key by the signature’s id among several (rotation)', async () => {
    const rotated = authority('qa', {
      noteReference: NOTE,
      publicKeys: [
        { keyType: 'PGP', asciiArmoredPgpPublicKey: other.publicKeyBase64 },
        { keyType: 'PGP', asciiArmoredPgpPublicKey: qa.publicKeyBase64 },
      ],
    });
    const verifier = new AttestationVerifier();
    for (const signer of [qa, other]) {
      const evidence = await pgpAttestation(signer.privateKey, IMAGE, { noteName: NOTE });
      expect(await verifier.verify(rotated, evidence, IMAGE)).toEqual({
        valid: true,
        keyId: signer.fingerprint,
      });
    }
  });

  // Issue 11 finding 2: gcloud's sign-and-create writes a Cloud KMS key id, a network-path reference.
  it('accepts a Cloud KMS key id (//cloudkms…) and matches it exactly', async () => {
    const kms = pkixSigner();
    const keyId =
      '//cloudkms.googleapis.com/v1/projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1';
    const withKms = authority('kms', {
      noteReference: NOTE,
      publicKeys: [
        {
          keyType: 'PKIX',
          keyId,
          pkixPublicKey: { publicKeyPem: kms.publicKeyPem, signatureAlgorithm: 'EC_SIGN_P256_SHA256' },
        },
      ],
    });
    const verifier = new AttestationVerifier();
    const signed = pkixAttestation(kms, IMAGE, NOTE, keyId);
    expect(await verifier.verify(withKms, signed, IMAGE)).toEqual({ valid: true, keyId });
    for (const near of [keyId.toUpperCase(), `https:${keyId}`, `${keyId}/`, keyId.slice(2)]) {
      const check = await verifier.verify(withKms, pkixAttestation(kms, IMAGE, NOTE, near), IMAGE);
      expect(check).toMatchObject({ valid: false });
    }
  });

  it('never throws on malformed evidence (property)', async () => {
    const target = authority('qa', { noteReference: NOTE, publicKeyData: qa.publicKeyBase64 });
    const verifier = new AttestationVerifier();
    const junk = fc.oneof(
      fc.anything(),
      fc.record({
        noteName: fc.string(),
        signature: fc.record({
          form: fc.constant('pgp'),
          signature: fc.string(),
          keyId: fc.option(fc.string(), { nil: undefined }),
        }),
      }),
      fc.record({
        noteName: fc.string(),
        signature: fc.record({
          form: fc.constant('generic'),
          serializedPayload: fc.uint8Array({ maxLength: 64 }),
          signatures: fc.array(
            fc.record({ publicKeyId: fc.string(), signature: fc.uint8Array({ maxLength: 64 }) }),
            { maxLength: 3 },
          ),
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (evidence) => {
        const check = await verifier.verify(target, evidence as AttestationEvidence, IMAGE);
        expect(check.valid).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('BoundedCache', () => {
  it('forgets the oldest entries beyond its limit', () => {
    const cache = new BoundedCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // refreshes a
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([3, undefined, 4, 2]);
  });
});

describe('AttestationVerifier.cosign', () => {
  const key = { type: 'ecdsa-p256', hint: 'aGludA==' };
  const image = { name: 'registry.example/app', digest: DIGEST_A };
  const layer = (text: string, signature?: string) => ({
    bytes: new TextEncoder().encode(text),
    ...(signature === undefined ? {} : { signature }),
  });

  it('checks a layer once for the same key, image, bytes and signature, and again when any differs', () => {
    const verifier = new AttestationVerifier();
    let checks = 0;
    const check = () => {
      checks += 1;
      return { valid: true as const, n: checks };
    };
    expect(verifier.cosign('signature', key, layer('payload', 'sig'), image, check)).toEqual({
      valid: true,
      n: 1,
    });
    expect(verifier.cosign('signature', key, layer('payload', 'sig'), image, check)).toEqual({
      valid: true,
      n: 1,
    });
    verifier.cosign('signature', key, layer('payload', 'other sig'), image, check);
    verifier.cosign('signature', key, layer('payload!', 'sig'), image, check);
    verifier.cosign('signature', { ...key, hint: 'b3RoZXI=' }, layer('payload', 'sig'), image, check);
    verifier.cosign(
      'signature',
      key,
      layer('payload', 'sig'),
      { ...image, name: 'registry.example/other' },
      check,
    );
    verifier.cosign('attestation', key, layer('payload', 'sig'), image, check);
    expect(checks).toBe(6);
  });

  it('hashes a layer once per bytes array: a warm decision, handed the cached layers again, hashes nothing', () => {
    const verifier = new AttestationVerifier();
    const cached = layer('payload', 'sig');
    const check = () => ({ valid: true as const });
    verifier.cosign('signature', key, cached, image, check);
    vi.mocked(createHash).mockClear();
    for (let i = 0; i < 3; i += 1) verifier.cosign('signature', key, cached, image, check);
    expect(createHash).not.toHaveBeenCalled();
    verifier.cosign('signature', key, layer('payload', 'sig'), image, check);
    expect(createHash).toHaveBeenCalledTimes(1);
  });
});
