import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  COSIGN_IMAGE,
  cosignBlob,
  cosignFile,
  cosignKey,
  cosignManifest,
} from '../test-support/cosign-vectors.js';
import { BUNDLE_MEDIA_TYPE, verifyCosignBundle } from './bundle.js';
import type { CosignFailureCode } from './cosign-result.js';

// cosign attest --new-bundle-format signed for 127.0.0.1:5123/signet/bundle: the same digest.
const manifest = cosignManifest('bundle.manifest.json');
const layer = cosignBlob(manifest.layers[0]!.digest);
const bundle = JSON.parse(Buffer.from(layer).toString('utf8'));
const image = { name: '127.0.0.1:5123/signet/bundle', digest: COSIGN_IMAGE.digest };
const bytesOf = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
const codeOf = (result: { valid: boolean; code?: CosignFailureCode }) =>
  result.valid ? 'valid' : result.code;

describe('the cosign 2.5 bundle vector', () => {
  it('is an OCI 1.1 artifact whose subject is the image and whose layer is a v0.3 bundle', () => {
    const referrers = cosignManifest('bundle.referrers-index.json') as unknown as {
      manifests: { digest: string }[];
    };
    const manifestDigest = createHash('sha256').update(cosignFile('bundle.manifest.json')).digest('hex');
    expect(referrers.manifests.map((entry) => entry.digest)).toEqual([`sha256:${manifestDigest}`]);
    const imageDigest = createHash('sha256').update(cosignFile('image.manifest.json')).digest('hex');
    expect(`sha256:${imageDigest}`).toBe(COSIGN_IMAGE.digest);
    expect(manifest.artifactType).toBe(BUNDLE_MEDIA_TYPE);
    expect(manifest.subject?.digest).toBe(COSIGN_IMAGE.digest);
    expect(manifest.layers.map((entry) => entry.mediaType)).toEqual([BUNDLE_MEDIA_TYPE]);
    expect(manifest.annotations?.['dev.sigstore.bundle.predicateType']).toBe(
      'https://slsa.dev/provenance/v1',
    );
  });

  it('verifies offline with the P-256 key: no tlog entry, no timestamp, no trusted root', () => {
    expect(verifyCosignBundle(cosignKey('ecdsa-p256'), layer, image)).toMatchObject({
      valid: true,
      predicateType: 'https://slsa.dev/provenance/v1',
    });
  });

  it('refuses another key by its hint, naming both', () => {
    const result = verifyCosignBundle(cosignKey('ed25519'), layer, image);
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_SIGNATURE_INVALID' });
    expect(!result.valid && result.message).toContain(bundle.verificationMaterial.publicKey.hint);
  });

  it('refuses another key by the signature when there is no hint', () => {
    const unhinted = { ...bundle, verificationMaterial: { publicKey: {} } };
    expect(codeOf(verifyCosignBundle(cosignKey('ecdsa-p384'), bytesOf(unhinted), image))).toBe(
      'COSIGN_SIGNATURE_INVALID',
    );
    expect(verifyCosignBundle(cosignKey('ecdsa-p256'), bytesOf(unhinted), image).valid).toBe(true);
  });

  it('refuses it for another digest', () => {
    const other = { ...image, digest: `sha256:${'2'.repeat(64)}` };
    expect(codeOf(verifyCosignBundle(cosignKey('ecdsa-p256'), layer, other))).toBe('COSIGN_SUBJECT_MISMATCH');
  });

  it('refuses a changed statement', () => {
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64')
      .toString()
      .replace('signet/bundle', 'signet/bundlX');
    const changed = {
      ...bundle,
      dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(payload).toString('base64') },
    };
    expect(codeOf(verifyCosignBundle(cosignKey('ecdsa-p256'), bytesOf(changed), image))).toBe(
      'COSIGN_SIGNATURE_INVALID',
    );
  });

  it.each([
    [
      'keyless (a certificate)',
      { ...bundle, verificationMaterial: { certificate: { rawBytes: 'AA==' } } },
      'certificate',
    ],
    [
      'an older media type',
      { ...bundle, mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' },
      'mediaType',
    ],
    ['no content', { ...bundle, dsseEnvelope: undefined }, 'holds no content'],
    [
      'a message signature',
      { ...bundle, dsseEnvelope: undefined, messageSignature: { signature: 'AA==' } },
      'messageSignature',
    ],
  ])('refuses %s as not supported, saying so', (_, changed, reason) => {
    const result = verifyCosignBundle(cosignKey('ecdsa-p256'), bytesOf(changed), image);
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_BUNDLE_UNSUPPORTED' });
    expect(!result.valid && result.message).toContain(reason);
    expect(!result.valid && result.message).toContain('keyless verification is not supported yet');
  });

  it.each([
    ['truncated', layer.subarray(0, 200), 'not valid JSON'],
    [
      'without verificationMaterial',
      bytesOf({ ...bundle, verificationMaterial: undefined }),
      'verificationMaterial',
    ],
    [
      'with an envelope without signatures',
      bytesOf({ ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [] } }),
      'dsseEnvelope',
    ],
  ])('refuses a bundle %s', (_, bytes, reason) => {
    const result = verifyCosignBundle(cosignKey('ecdsa-p256'), bytes, image);
    expect(result).toMatchObject({ valid: false, code: 'COSIGN_BUNDLE_INVALID' });
    expect(!result.valid && result.message).toContain(reason);
  });
});
