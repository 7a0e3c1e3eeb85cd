import { encodeBase64 } from '../base64.js';
import { SigningError } from '../signing-error.js';
import type { SignedImage } from './cosign-result.js';
import { DSSE_MEDIA_TYPE, pae } from './dsse.js';
import type { CosignSigningKey } from './private-key.js';
import { buildCosignPayload, type CosignLayer, cosignDockerReference, signCosignBytes } from './sign.js';
import { SIGNATURE_ANNOTATION } from './simple-signing.js';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';

/**
 * The `.att` layer `cosign attest --key` writes: a DSSE envelope (payload type in-toto, one signature
 * over PAE, an empty keyid) around an in-toto v0.1 statement whose one subject is the image (its
 * repository as cosign names it, its sha256) and whose predicate is `predicate`, keys sorted as Go
 * writes a map. The layer's annotations: an empty signature annotation and `predicateType` (unsigned;
 * verifiers read the signed one).
 */
export function makeCosignAttestationLayer(
  key: CosignSigningKey,
  image: SignedImage,
  predicateType: string,
  predicate: unknown,
): CosignLayer {
  buildCosignPayload(image); // the same checks of the digest and name as a signature's
  if (!isUri(predicateType)) {
    throw new SigningError(
      'PREDICATE_TYPE_INVALID',
      `the predicate type ${JSON.stringify(predicateType)} is not a URI`,
      'give the predicate type as a URI, e.g. https://slsa.dev/provenance/v1',
    );
  }
  const statement = {
    _type: STATEMENT_V01,
    predicateType,
    subject: [
      {
        name: cosignDockerReference(image.name),
        digest: { sha256: image.digest.slice('sha256:'.length) },
      },
    ],
    predicate: sortedKeys(predicate),
  };
  const payload = new TextEncoder().encode(JSON.stringify(statement));
  const sig = encodeBase64(signCosignBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, payload)));
  const envelope = {
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: encodeBase64(payload),
    signatures: [{ keyid: '', sig }],
  };
  return {
    mediaType: DSSE_MEDIA_TYPE,
    bytes: new TextEncoder().encode(JSON.stringify(envelope)),
    annotations: { [SIGNATURE_ANNOTATION]: '', predicateType },
  };
}

function isUri(value: string): boolean {
  if (typeof value !== 'string' || /\s/.test(value)) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
}
