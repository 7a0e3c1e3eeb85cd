import { constants, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../reference.js';
import { pemBase64, testCosignSigner } from '../test-support/cosign-signer.js';
import {
  COSIGN_IMAGE,
  COSIGN_KEY_NAMES,
  cosignBlob,
  cosignFile,
  cosignKey,
  cosignManifest,
} from '../test-support/cosign-vectors.js';
import { readCosignPublicKey } from './cosign-key.js';
import type { CosignFailureCode } from './cosign-result.js';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, verifyCosignSignature } from './simple-signing.js';

const OTHER_DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const sig = cosignManifest('app.sig.manifest.json');
const layers = sig.layers.map((layer) => ({
  bytes: cosignBlob(layer.digest),
  signature: layer.annotations?.[SIGNATURE_ANNOTATION] ?? '',
}));
const payload = layers[0]!.bytes;
const codeOf = (result: { valid: boolean; code?: CosignFailureCode }) =>
  result.valid ? 'valid' : result.code;

describe('cosign 2.5 .sig vectors', () => {
  it('hold four simple-signing layers over one payload', () => {
    expect(sig.layers.map((layer) => layer.mediaType)).toEqual(Array(4).fill(SIMPLE_SIGNING_MEDIA_TYPE));
    expect(new Set(sig.layers.map((layer) => layer.digest)).size).toBe(1);
  });

  it.each(COSIGN_KEY_NAMES.map((name, index) => [name, index] as const))(
    'the %s signature verifies and names the image',
    (name, index) => {
      const layer = layers[index]!;
      const result = verifyCosignSignature(cosignKey(name), layer.bytes, layer.signature, COSIGN_IMAGE);
      expect(result).toEqual({ valid: true, dockerReference: COSIGN_IMAGE.name, optional: null });
    },
  );

  it.each(COSIGN_KEY_NAMES.map((name, index) => [name, index] as const))(
    'the %s signature does not verify with any other recorded key',
    (name, index) => {
      const layer = layers[index]!;
      for (const other of COSIGN_KEY_NAMES.filter((candidate) => candidate !== name)) {
        const result = verifyCosignSignature(cosignKey(other), layer.bytes, layer.signature, COSIGN_IMAGE);
        expect(codeOf(result)).toBe('COSIGN_SIGNATURE_INVALID');
      }
    },
  );

  it('refuses a signature for another digest', () => {
    const layer = layers[0]!;
    const result = verifyCosignSignature(cosignKey('ecdsa-p256'), layer.bytes, layer.signature, {
      name: COSIGN_IMAGE.name,
      digest: OTHER_DIGEST,
    });
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_DIGEST_MISMATCH' });
    expect(!result.valid && result.message).toContain(`not ${OTHER_DIGEST}`);
    expect(!result.valid && result.fix).toContain(
      `cosign sign --key KEY ${COSIGN_IMAGE.name}@${OTHER_DIGEST}`,
    );
  });

  it("refuses the same digest's signature copied from another repository (cosign verify accepts it)", () => {
    const [layer] = cosignManifest('other.sig.manifest.json').layers;
    const bytes = cosignBlob(layer!.digest);
    const signature = layer!.annotations![SIGNATURE_ANNOTATION]!;
    const key = cosignKey('ecdsa-p256');
    const replayed = verifyCosignSignature(key, bytes, signature, COSIGN_IMAGE);
    expect(replayed).toMatchObject({ valid: false, code: 'COSIGN_REPOSITORY_MISMATCH' });
    expect(!replayed.valid && replayed.message).toContain('"127.0.0.1:5123/signet/other"');
    const home = { name: '127.0.0.1:5123/signet/other', digest: COSIGN_IMAGE.digest };
    expect(verifyCosignSignature(key, bytes, signature, home).valid).toBe(true);
  });

  it.each(COSIGN_KEY_NAMES.map((name, index) => [name, index] as const))(
    'refuses the %s signature over a tampered layer',
    (name, index) => {
      const layer = layers[index]!;
      const tampered = Buffer.from(layer.bytes);
      tampered[tampered.indexOf('signet/app')] = 'S'.charCodeAt(0);
      const spaced = Buffer.concat([layer.bytes, Buffer.from('\n')]);
      for (const bytes of [tampered, spaced, layer.bytes.subarray(0, 100)]) {
        const result = verifyCosignSignature(cosignKey(name), bytes, layer.signature, COSIGN_IMAGE);
        expect(codeOf(result)).toBe('COSIGN_SIGNATURE_INVALID');
      }
    },
  );

  it.each([
    ['empty', '', 'COSIGN_SIGNATURE_MALFORMED'],
    ['not base64', 'MEUCIEm1q+ew2zG!', 'COSIGN_SIGNATURE_MALFORMED'],
    ['truncated', layers[0]!.signature.slice(0, 40), 'COSIGN_SIGNATURE_INVALID'],
    ['of another layer', layers[1]!.signature, 'COSIGN_SIGNATURE_INVALID'],
  ])('refuses a signature annotation that is %s', (_, signature, code) => {
    const result = verifyCosignSignature(cosignKey('ecdsa-p256'), payload, signature, COSIGN_IMAGE);
    expect(codeOf(result)).toBe(code);
  });
});

describe('what cosign 2.5 refuses (recorded with cosign verify)', () => {
  it('a P-384 signature over SHA-384: cosign hashes with SHA-256 for every key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const reading = readCosignPublicKey(pemBase64(publicKey));
    if (!reading.valid) throw new Error(reading.message);
    const over = (hash: string) =>
      sign(hash, payload, { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(codeOf(verifyCosignSignature(reading.key, payload, over('sha384'), COSIGN_IMAGE))).toBe(
      'COSIGN_SIGNATURE_INVALID',
    );
    expect(verifyCosignSignature(reading.key, payload, over('sha256'), COSIGN_IMAGE).valid).toBe(true);
  });

  it('an RSA-PSS signature: cosign verifies PKCS#1 v1.5', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const reading = readCosignPublicKey(pemBase64(publicKey));
    if (!reading.valid) throw new Error(reading.message);
    const pss = sign('sha256', payload, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const pkcs1 = sign('sha256', payload, privateKey);
    expect(codeOf(verifyCosignSignature(reading.key, payload, pss.toString('base64'), COSIGN_IMAGE))).toBe(
      'COSIGN_SIGNATURE_INVALID',
    );
    expect(verifyCosignSignature(reading.key, payload, pkcs1.toString('base64'), COSIGN_IMAGE).valid).toBe(
      true,
    );
  });
});

describe('payloads cosign does not write, signed by the authority', () => {
  const signer = testCosignSigner();
  const digest = COSIGN_IMAGE.digest;
  const document = (critical: object, optional: unknown = null) =>
    Buffer.from(JSON.stringify({ critical, optional }));
  const critical = (reference: string, type = 'cosign container image signature') => ({
    identity: { 'docker-reference': reference },
    image: { 'docker-manifest-digest': digest },
    type,
  });
  const check = (bytes: Uint8Array, name: string = COSIGN_IMAGE.name) =>
    verifyCosignSignature(signer.publicKey, bytes, signer.sign(bytes), { name, digest });

  it.each([
    ['nginx', 'nginx', 'index.docker.io/library/nginx', 'gcr.io/library/nginx'],
    ['docker.io-team-app', 'team/app', 'index.docker.io/team/app', 'quay.io/team/app'],
    ['localhost-5000-a-b', 'localhost:5000/a/b', 'localhost:5000/a/b', 'localhost:5001/a/b'],
  ])(
    "cosign generate's %s payload names the image %s (docker-reference %s), not %s",
    (file, image, reference, other) => {
      const bytes = cosignFile(`generate/${file}.payload.json`);
      expect(check(bytes, parseImageReference(image).name)).toMatchObject({
        valid: true,
        dockerReference: reference,
      });
      expect(codeOf(check(bytes, parseImageReference(other).name))).toBe('COSIGN_REPOSITORY_MISMATCH');
    },
  );

  it.each([
    ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['docker.io/library/nginx', 'docker.io/library/nginx'],
    ['nginx', 'docker.io/library/nginx'],
    ['index.docker.io/team/app', 'docker.io/team/app'],
  ])('reads docker-reference %s as the repository %s', (reference, name) => {
    expect(check(document(critical(reference)), name)).toMatchObject({
      valid: true,
      dockerReference: reference,
    });
  });

  it.each([
    ['another registry', 'gcr.io/library/nginx', 'docker.io/library/nginx'],
    ['another port', '127.0.0.1:5000/signet/app', COSIGN_IMAGE.name],
    ['no port', '127.0.0.1/signet/app', COSIGN_IMAGE.name],
    ['a reference that is not one', 'UPPER/Case', COSIGN_IMAGE.name],
  ])('refuses a docker-reference naming %s', (_, reference, name) => {
    expect(codeOf(check(document(critical(reference)), name))).toBe('COSIGN_REPOSITORY_MISMATCH');
  });

  it('returns the annotations cosign signed in optional', () => {
    const bytes = document(critical(COSIGN_IMAGE.name), { commit: 'abc' });
    const result = check(Buffer.from(bytes.toString().replace('"commit"', '"__proto__":"x","commit"')));
    expect(result.valid && Object.keys(result.optional ?? {})).toEqual(['__proto__', 'commit']);
  });

  it('refuses a containers/image payload (another type)', () => {
    const result = check(document(critical(COSIGN_IMAGE.name, 'atomic container signature')));
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_PAYLOAD_TYPE' });
    expect(!result.valid && result.message).toContain('"atomic container signature"');
  });

  it.each([
    ['not JSON', Buffer.from('{"critical":'), 'not valid JSON'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not valid UTF-8'],
    [
      'a duplicate key',
      Buffer.from(`{"critical":{},${document(critical(COSIGN_IMAGE.name)).toString().slice(1)}`),
      'duplicate key',
    ],
    ['an unknown critical field', document({ ...critical(COSIGN_IMAGE.name), extra: 1 }), 'critical'],
    [
      'no identity',
      document({ image: { 'docker-manifest-digest': digest }, type: 'x' }),
      'critical.identity',
    ],
    ['an array', Buffer.from('[]'), 'top level'],
    ['optional as a string', document(critical(COSIGN_IMAGE.name), 'x'), 'optional'],
  ])('refuses a payload with %s', (_, bytes, reason) => {
    const result = check(bytes);
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_PAYLOAD_INVALID' });
    expect(!result.valid && result.message).toContain(reason);
  });

  it('answers any layer and signature without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (bytes, signature) => {
        expect(verifyCosignSignature(signer.publicKey, bytes, signature, COSIGN_IMAGE).valid).toBe(false);
        expect(typeof check(bytes).valid).toBe('boolean');
      }),
    );
  });

  it('refuses a malformed expected digest rather than matching it', () => {
    const bytes = document({ ...critical(COSIGN_IMAGE.name), image: { 'docker-manifest-digest': 'latest' } });
    expect(
      codeOf(
        verifyCosignSignature(signer.publicKey, bytes, signer.sign(bytes), {
          name: COSIGN_IMAGE.name,
          digest: 'latest',
        }),
      ),
    ).toBe('COSIGN_DIGEST_MISMATCH');
  });
});
