import { z } from 'zod';
import { decodeBase64 } from '../base64.js';
import { type ImageReference, isSha256Digest, parseImageReference } from '../reference.js';
import type { CosignPublicKey } from './cosign-key.js';
import { type CosignFailure, cosignFailure, type SignedImage } from './cosign-result.js';
import { verifiesWith } from './key-signature.js';
import { describeIssues, readStrictJson } from './signed-json.js';

/** The media type of a `.sig` manifest's layers, and the annotation holding each one's signature. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const COSIGN_PAYLOAD_TYPE = 'cosign container image signature';

export type CosignSignatureVerification =
  | {
      readonly valid: true;
      /** The repository the payload names, as cosign wrote it (`index.docker.io/library/nginx`). */
      readonly dockerReference: string;
      /** cosign's annotations (`cosign sign -a k=v`), signed; null when there are none. */
      readonly optional: Readonly<Record<string, unknown>> | null;
    }
  | CosignFailure;

// `critical` is strict: a field Signet does not understand there must not be ignored.
const payloadSchema = z.strictObject({
  critical: z.strictObject({
    identity: z.strictObject({ 'docker-reference': z.string() }),
    image: z.strictObject({ 'docker-manifest-digest': z.string() }),
    type: z.string(),
  }),
  optional: z.record(z.string(), z.unknown()).nullable().optional(),
});
type CosignPayload = z.infer<typeof payloadSchema>;

/**
 * Checks one layer of a cosign 2.x `.sig` manifest: `signature` (the layer's
 * `dev.cosignproject.cosign/signature` annotation, base64) must be the key's signature of `layer`, the
 * layer's exact bytes; the payload must be a cosign container image signature naming `image`'s digest
 * and repository (both normalised, so a signature copied from another repository is refused).
 */
export function verifyCosignSignature(
  key: CosignPublicKey,
  layer: Uint8Array,
  signature: string,
  image: SignedImage,
): CosignSignatureVerification {
  const signatureBytes = typeof signature === 'string' ? decodeBase64(signature) : undefined;
  if (signatureBytes === undefined || signatureBytes.length === 0) {
    return cosignFailure(
      'COSIGN_SIGNATURE_MALFORMED',
      `the layer's ${SIGNATURE_ANNOTATION} annotation is ${signature === '' ? 'empty' : 'not base64'}`,
      'sign the image again with `cosign sign --key`; this signature layer is damaged',
    );
  }
  if (!(layer instanceof Uint8Array) || !verifiesWith(key, layer, signatureBytes)) {
    return cosignFailure(
      'COSIGN_SIGNATURE_INVALID',
      `the cosign signature does not verify with the authority's ${key.type} key over the payload layer`,
      "sign the image with the private key of the authority's publicKeyData, or put that key's public half in publicKeyData",
    );
  }
  const payload = readPayload(layer);
  if ('valid' in payload) return payload;
  return checkIdentity(payload, image);
}

function readPayload(layer: Uint8Array): CosignPayload | CosignFailure {
  const json = readStrictJson(layer);
  const parsed = json.ok ? payloadSchema.safeParse(json.value) : undefined;
  // `optional` from the strict reader's result, not zod's copy, which silently drops a `__proto__` key.
  if (parsed?.success) return { ...parsed.data, optional: (json as { value: CosignPayload }).value.optional };
  const reason = json.ok ? describeIssues(parsed!.error!) : json.reason;
  return cosignFailure(
    'COSIGN_PAYLOAD_INVALID',
    `the signed cosign payload cannot be read: ${reason}`,
    'sign the image with `cosign sign`; this payload is not one cosign writes',
  );
}

function checkIdentity(payload: CosignPayload, image: SignedImage): CosignSignatureVerification {
  const { critical } = payload;
  if (critical.type !== COSIGN_PAYLOAD_TYPE) {
    return cosignFailure(
      'COSIGN_PAYLOAD_TYPE',
      `the signed payload's type is ${JSON.stringify(critical.type)}, not "${COSIGN_PAYLOAD_TYPE}"`,
      'sign the image with `cosign sign`; other simple-signing payloads go through a Grafeas attestation authority',
    );
  }
  const digest = critical.image['docker-manifest-digest'];
  if (!isSha256Digest(image.digest) || digest !== image.digest) {
    return cosignFailure(
      'COSIGN_DIGEST_MISMATCH',
      `the cosign signature is for digest ${digest}, not ${image.digest}`,
      `sign this digest: \`cosign sign --key KEY ${image.name}@${image.digest}\``,
    );
  }
  const reference = critical.identity['docker-reference'];
  const signed = repositoryName(reference);
  const wanted = repositoryName(image.name);
  if (signed === undefined || signed !== wanted) {
    return cosignFailure(
      'COSIGN_REPOSITORY_MISMATCH',
      `the cosign signature names repository ${JSON.stringify(reference)}, not ${image.name}: it was made for another repository`,
      `sign the image under the repository it is deployed from: \`cosign sign --key KEY ${image.name}@${image.digest}\``,
    );
  }
  return { valid: true, dockerReference: reference, optional: payload.optional ?? null };
}

/** `index.docker.io/library/x`, `docker.io/x` and `x` are one repository; tag and digest do not count. */
function repositoryName(reference: string): string | undefined {
  let parsed: ImageReference;
  try {
    parsed = parseImageReference(reference);
  } catch {
    return undefined;
  }
  return parsed.name;
}
