import { createHash } from 'node:crypto';
import { decodeBase64, encodeBase64 } from '@signet/signing';
import type { OccurrenceSpec } from '../model.js';
import { isRecord } from '../wire/json.js';

/** Specs are stored as JSON with bytes as {"$bytes": base64}: the model itself, not a wire version. */
export function specToJson(spec: object): string {
  return JSON.stringify(spec, (_key, value: unknown) =>
    value instanceof Uint8Array ? { $bytes: encodeBase64(value) } : value,
  );
}

export function specFromJson<T>(json: string): T {
  return JSON.parse(json, (_key, value: unknown) => {
    if (isRecord(value) && typeof value.$bytes === 'string' && Object.keys(value).length === 1) {
      return decodeBase64(value.$bytes) ?? new Uint8Array(0);
    }
    return value;
  }) as T;
}

/** Identical attestations (same note, resource and signature) are one: creating one again is a no-op. */
export function attestationFingerprint(spec: OccurrenceSpec): string | null {
  if (spec.kind !== 'ATTESTATION') return null;
  const s = spec.signature;
  // contentType is left out: v1 has none, and the same signature must match across versions.
  const content =
    s.form === 'pgp'
      ? ['pgp', s.signature, s.keyId]
      : [
          'generic',
          encodeBase64(s.serializedPayload),
          s.signatures.map((x) => [x.publicKeyId, encodeBase64(x.signature)]),
        ];
  return createHash('sha256')
    .update(JSON.stringify([spec.noteName, spec.resourceUri, content]))
    .digest('hex');
}
