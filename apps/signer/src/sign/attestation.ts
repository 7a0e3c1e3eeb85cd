import type { ApiVersion, AttestationOccurrenceSpec, AttestationSignature } from '@signet/grafeas-client';
import type { MadeSignature } from './key-source.js';

/**
 * The attestation occurrence for a signature. PGP goes out as the guide's v1beta1 pgpSignedAttestation
 * (armored attached signature), or under v1 as attestation{serializedPayload, signatures} with the
 * armored bytes and the fingerprint as key id, as gcloud does. PKIX is always the generic form.
 */
export function attestationOccurrence(input: {
  resourceUri: string;
  noteName: string;
  payload: Uint8Array;
  signature: MadeSignature;
  api: ApiVersion;
}): AttestationOccurrenceSpec {
  return {
    kind: 'ATTESTATION',
    resourceUri: input.resourceUri,
    noteName: input.noteName,
    signature: attestationSignature(input.signature, input.payload, input.api),
  };
}

function attestationSignature(
  made: MadeSignature,
  payload: Uint8Array,
  api: ApiVersion,
): AttestationSignature {
  if (made.kind === 'pkix') {
    return {
      form: 'generic',
      contentType: 'SIMPLE_SIGNING_JSON',
      serializedPayload: payload,
      signatures: [{ publicKeyId: made.keyId, signature: made.signature }],
    };
  }
  if (api === 'v1beta1') {
    return {
      form: 'pgp',
      signature: made.armored,
      contentType: 'SIMPLE_SIGNING_JSON',
      keyId: made.keyFingerprint,
    };
  }
  return {
    form: 'generic',
    serializedPayload: payload,
    signatures: [
      { publicKeyId: made.keyFingerprint, signature: new Uint8Array(Buffer.from(made.armored, 'utf8')) },
    ],
  };
}
