import { constants, sign } from 'node:crypto';
import { encodeBase64 } from '../base64.js';
import { isSha256Digest, parseImageReference } from '../reference.js';
import { SigningError } from '../signing-error.js';
import type { SignedImage } from './cosign-result.js';
import type { CosignSigningKey } from './private-key.js';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';

/** One layer as cosign writes it: its exact bytes and annotations (a `.sig` layer's hold its signature). */
export interface CosignLayer {
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * The repository as go-containerregistry names it, which is what cosign writes as docker-reference:
 * Docker Hub is `index.docker.io` (with `library/` for official images), every other registry keeps
 * its host and port.
 */
export function cosignDockerReference(name: string): string {
  const ref = parseImageReference(name);
  return ref.registry === 'docker.io' ? `index.docker.io/${ref.path}` : ref.name;
}

/**
 * The simple-signing payload `cosign sign` signs, byte for byte: `critical` (identity, image, type, in
 * that order) and `optional` null.
 */
export function buildCosignPayload(image: SignedImage): Uint8Array {
  if (!isSha256Digest(image.digest)) {
    throw new SigningError(
      'DIGEST_INVALID',
      `cosign signs an image by its sha256 digest, and ${JSON.stringify(String(image.digest))} is not one`,
      'pin the image by digest (name@sha256:…) before signing it',
    );
  }
  const payload = {
    critical: {
      identity: { 'docker-reference': cosignDockerReference(image.name) },
      image: { 'docker-manifest-digest': image.digest },
      type: 'cosign container image signature',
    },
    optional: null,
  };
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** The key's signature of `data` as cosign makes it: SHA-256 with ECDSA (DER) or RSA PKCS#1 v1.5, pure Ed25519. */
export function signCosignBytes(key: CosignSigningKey, data: Uint8Array): Uint8Array {
  const type = key.publicKey.type;
  if (type === 'ed25519') return new Uint8Array(sign(null, data, key.privateKey));
  if (type === 'rsa') {
    return new Uint8Array(
      sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }),
    );
  }
  return new Uint8Array(sign('sha256', data, { key: key.privateKey, dsaEncoding: 'der' }));
}

/** The `.sig` layer `cosign sign --key` writes for `image` (pinned by digest, named by its own repository). */
export function makeCosignSignatureLayer(key: CosignSigningKey, image: SignedImage): CosignLayer {
  const bytes = buildCosignPayload(image);
  const signature = encodeBase64(signCosignBytes(key, bytes));
  return { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, bytes, annotations: { [SIGNATURE_ANNOTATION]: signature } };
}
