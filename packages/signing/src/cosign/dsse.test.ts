import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testCosignSigner } from '../test-support/cosign-signer.js';
import {
  COSIGN_IMAGE,
  COSIGN_KEY_NAMES,
  cosignBlob,
  cosignKey,
  cosignManifest,
} from '../test-support/cosign-vectors.js';
import type { CosignFailureCode } from './cosign-result.js';
import { DSSE_MEDIA_TYPE, pae, verifyCosignAttestation } from './dsse.js';

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const IN_TOTO = 'application/vnd.in-toto+json';
const OTHER_DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const att = cosignManifest('app.att.manifest.json');
const layer = cosignBlob(att.layers[0]!.digest);
const envelope = JSON.parse(Buffer.from(layer).toString('utf8')) as {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
};
const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
const bytesOf = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
const codeOf = (result: { valid: boolean; code?: CosignFailureCode }) =>
  result.valid ? 'valid' : result.code;

describe('PAE', () => {
  it("is the DSSE specification's example", () => {
    const encoded = pae('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(Buffer.from(encoded).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters', () => {
    expect(Buffer.from(pae('t', Buffer.from('é'))).toString()).toBe('DSSEv1 1 t 2 é');
  });
});

describe('the cosign 2.5 .att vector', () => {
  it('is one DSSE layer whose annotation names SLSA provenance v1', () => {
    expect(att.layers.map((entry) => entry.mediaType)).toEqual([DSSE_MEDIA_TYPE]);
    expect(att.layers[0]!.annotations?.predicateType).toBe(SLSA_V1);
  });

  it('verifies with the P-256 key and returns the signed predicate type and predicate', () => {
    const result = verifyCosignAttestation(cosignKey('ecdsa-p256'), layer, COSIGN_IMAGE);
    expect(result).toMatchObject({ valid: true, predicateType: SLSA_V1 });
    expect(result.valid && result.predicate).toMatchObject({
      buildDefinition: { buildType: 'https://signet.example/build/v1' },
    });
  });

  it.each(COSIGN_KEY_NAMES.filter((name) => name !== 'ecdsa-p256'))(
    'does not verify with the %s key',
    (name) => {
      expect(codeOf(verifyCosignAttestation(cosignKey(name), layer, COSIGN_IMAGE))).toBe(
        'COSIGN_SIGNATURE_INVALID',
      );
    },
  );

  it('refuses it for another digest, naming the subjects it holds', () => {
    const result = verifyCosignAttestation(cosignKey('ecdsa-p256'), layer, {
      name: COSIGN_IMAGE.name,
      digest: OTHER_DIGEST,
    });
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_SUBJECT_MISMATCH' });
    expect(!result.valid && result.message).toContain(COSIGN_IMAGE.digest);
    expect(!result.valid && result.fix).toContain('cosign attest --key KEY');
  });

  it('refuses a statement changed under the signature (another predicate type)', () => {
    const changed = { ...statement, predicateType: 'https://example.com/other' };
    const tampered = { ...envelope, payload: Buffer.from(JSON.stringify(changed)).toString('base64') };
    expect(codeOf(verifyCosignAttestation(cosignKey('ecdsa-p256'), bytesOf(tampered), COSIGN_IMAGE))).toBe(
      'COSIGN_SIGNATURE_INVALID',
    );
  });

  it('refuses the signature presented for another payload type', () => {
    const relabelled = { ...envelope, payloadType: 'application/json' };
    expect(codeOf(verifyCosignAttestation(cosignKey('ecdsa-p256'), bytesOf(relabelled), COSIGN_IMAGE))).toBe(
      'COSIGN_PAYLOAD_TYPE',
    );
  });

  it('accepts it when one of several signatures is the key’s', () => {
    const other = { keyid: 'x', sig: Buffer.alloc(70, 1).toString('base64') };
    const several = {
      ...envelope,
      signatures: [other, { keyid: '', sig: 'not base64!' }, ...envelope.signatures],
    };
    expect(verifyCosignAttestation(cosignKey('ecdsa-p256'), bytesOf(several), COSIGN_IMAGE).valid).toBe(true);
  });

  it.each([
    ['no signatures', { ...envelope, signatures: [] }, 'signatures'],
    ['no payload', { ...envelope, payload: undefined }, 'payload'],
    ['a payload that is not base64', { ...envelope, payload: '%%%' }, 'not base64'],
  ])('refuses an envelope with %s', (_, changed, reason) => {
    const result = verifyCosignAttestation(cosignKey('ecdsa-p256'), bytesOf(changed), COSIGN_IMAGE);
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_ENVELOPE_INVALID' });
    expect(!result.valid && result.message).toContain(reason);
  });

  it.each([
    ['truncated', layer.subarray(0, layer.length - 10), 'not valid JSON'],
    ['empty', new Uint8Array(), 'not valid JSON'],
    [
      'a simple-signing payload',
      cosignBlob(cosignManifest('app.sig.manifest.json').layers[0]!.digest),
      'payloadType',
    ],
  ])('refuses a layer that is %s', (_, bytes, reason) => {
    const result = verifyCosignAttestation(cosignKey('ecdsa-p256'), bytes, COSIGN_IMAGE);
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_ENVELOPE_INVALID' });
    expect(!result.valid && result.message).toContain(reason);
  });
});

describe('statements cosign does not write, signed by the authority', () => {
  const signer = testCosignSigner();
  const envelopeOf = (payload: Uint8Array, payloadType = IN_TOTO, signed = pae(payloadType, payload)) =>
    bytesOf({
      payloadType,
      payload: Buffer.from(payload).toString('base64'),
      signatures: [{ keyid: '', sig: signer.sign(signed) }],
    });
  const check = (bytes: Uint8Array) => verifyCosignAttestation(signer.publicKey, bytes, COSIGN_IMAGE);

  it('accepts an in-toto v1 statement', () => {
    const v1 = { ...statement, _type: 'https://in-toto.io/Statement/v1' };
    expect(check(envelopeOf(bytesOf(v1)))).toMatchObject({ valid: true, predicateType: SLSA_V1 });
  });

  it('refuses a signature over the payload instead of its PAE', () => {
    const payload = bytesOf(statement);
    expect(codeOf(check(envelopeOf(payload, IN_TOTO, payload)))).toBe('COSIGN_SIGNATURE_INVALID');
  });

  it('refuses a signed envelope of another payload type', () => {
    const result = check(envelopeOf(bytesOf(statement), 'application/vnd.dev.cosign.simplesigning.v1+json'));
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_PAYLOAD_TYPE' });
  });

  it.each([
    ['of another _type', { ...statement, _type: 'https://example.com/Statement' }, '_type'],
    ['without subjects', { ...statement, subject: undefined }, 'subject'],
    ['without predicateType', { ...statement, predicateType: undefined }, 'predicateType'],
    ['that is a string', 'statement', 'top level'],
  ])('refuses a statement %s', (_, value, reason) => {
    const result = check(envelopeOf(bytesOf(value)));
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_STATEMENT_INVALID' });
    expect(!result.valid && result.message).toContain(reason);
  });

  it('refuses a statement that is not JSON', () => {
    expect(codeOf(check(envelopeOf(Buffer.from('{"_type":'))))).toBe('COSIGN_STATEMENT_INVALID');
  });

  it('refuses a subject with only another algorithm', () => {
    const sha512 = { ...statement, subject: [{ name: COSIGN_IMAGE.name, digest: { sha512: 'ab' } }] };
    expect(codeOf(check(envelopeOf(bytesOf(sha512))))).toBe('COSIGN_SUBJECT_MISMATCH');
  });

  it('answers any bytes without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.jsonValue(), (bytes, value) => {
        expect(check(bytes).valid).toBe(false);
        expect(typeof check(envelopeOf(bytesOf(value))).valid).toBe('boolean');
      }),
    );
  });
});
