import { z } from 'zod';
import { decodeBase64 } from '../base64.js';
import { isSha256Digest } from '../reference.js';
import type { CosignPublicKey } from './cosign-key.js';
import { type CosignFailure, cosignFailure, type SignedImage } from './cosign-result.js';
import { verifiesWith } from './key-signature.js';
import { describeIssues, readStrictJson } from './signed-json.js';

/** The media type of a `.att` manifest's layers: one DSSE envelope each. */
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPES = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'];

export type CosignAttestationVerification =
  | {
      readonly valid: true;
      /** The signed statement's predicate type, for the caller to compare with the one it requires. */
      readonly predicateType: string;
      readonly predicate: unknown;
    }
  | CosignFailure;

export const dsseEnvelopeSchema = z.object({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(z.object({ keyid: z.string().optional(), sig: z.string() })).min(1),
});
export type DsseEnvelope = z.infer<typeof dsseEnvelopeSchema>;

const statementSchema = z.object({
  _type: z.string(),
  subject: z.array(z.object({ name: z.string().optional(), digest: z.record(z.string(), z.string()) })),
  predicateType: z.string().min(1),
  predicate: z.unknown().optional(),
});

/**
 * Checks one layer of a cosign `.att` manifest (its exact bytes): a DSSE envelope whose signature by the
 * key is over PAE(payloadType, payload), holding an in-toto statement with `image`'s digest among its
 * subjects. The predicate type is returned, not checked: the layer's `predicateType` annotation is not
 * signed, so compare the returned one.
 */
export function verifyCosignAttestation(
  key: CosignPublicKey,
  layer: Uint8Array,
  image: SignedImage,
): CosignAttestationVerification {
  const json = readStrictJson(layer);
  const parsed = json.ok ? dsseEnvelopeSchema.safeParse(json.value) : undefined;
  if (!parsed?.success) {
    const reason = json.ok ? describeIssues(parsed!.error!) : json.reason;
    return envelopeInvalid(`the attestation layer is not a DSSE envelope: ${reason}`);
  }
  return verifyDsseEnvelope(key, parsed.data, image);
}

/** The checks of verifyCosignAttestation on an envelope already read (a Sigstore bundle's `dsseEnvelope`). */
export function verifyDsseEnvelope(
  key: CosignPublicKey,
  envelope: DsseEnvelope,
  image: SignedImage,
): CosignAttestationVerification {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return cosignFailure(
      'COSIGN_PAYLOAD_TYPE',
      `the DSSE envelope's payloadType is ${JSON.stringify(envelope.payloadType)}, not "${IN_TOTO_PAYLOAD_TYPE}"`,
      'attest the image with `cosign attest --key KEY --predicate FILE --type TYPE`, which signs an in-toto statement',
    );
  }
  const payload = decodeBase64(envelope.payload);
  if (payload === undefined) return envelopeInvalid("the DSSE envelope's payload is not base64");
  const signed = pae(envelope.payloadType, payload);
  const signatures = envelope.signatures.map((entry) => decodeBase64(entry.sig));
  if (!signatures.some((sig) => sig !== undefined && sig.length > 0 && verifiesWith(key, signed, sig))) {
    return cosignFailure(
      'COSIGN_SIGNATURE_INVALID',
      `no signature of the DSSE envelope verifies with the authority's ${key.type} key`,
      "attest the image with the private key of the authority's publicKeyData, or put that key's public half in publicKeyData",
    );
  }
  return checkStatement(payload, image);
}

function checkStatement(payload: Uint8Array, image: SignedImage): CosignAttestationVerification {
  const json = readStrictJson(payload);
  const parsed = json.ok ? statementSchema.safeParse(json.value) : undefined;
  if (!parsed?.success || !STATEMENT_TYPES.includes(parsed.data._type)) {
    const reason = !json.ok
      ? json.reason
      : parsed?.success
        ? `its _type is ${JSON.stringify(parsed.data._type)}`
        : describeIssues(parsed!.error!);
    return cosignFailure(
      'COSIGN_STATEMENT_INVALID',
      `the signed in-toto statement cannot be read: ${reason}`,
      'attest the image with `cosign attest`; this statement is not one cosign writes',
    );
  }
  const statement = parsed.data;
  const hex = isSha256Digest(image.digest) ? image.digest.slice('sha256:'.length) : undefined;
  if (hex === undefined || !statement.subject.some((subject) => subject.digest.sha256 === hex)) {
    const named = statement.subject
      .map((subject) => `sha256:${subject.digest.sha256 ?? '(none)'}`)
      .join(', ');
    return cosignFailure(
      'COSIGN_SUBJECT_MISMATCH',
      `the attestation's subjects (${named || 'none'}) do not include ${image.digest}`,
      `attest this digest: \`cosign attest --key KEY --predicate FILE --type TYPE ${image.name}@${image.digest}\``,
    );
  }
  const predicate = (json as { value: { predicate?: unknown } }).value.predicate;
  return { valid: true, predicateType: statement.predicateType, predicate };
}

/** DSSE's pre-authentication encoding: `DSSEv1 LEN(type) type LEN(body) body`, lengths in ASCII decimal. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return new Uint8Array(Buffer.concat([head, payload]));
}

function envelopeInvalid(message: string): CosignFailure {
  return cosignFailure(
    'COSIGN_ENVELOPE_INVALID',
    message,
    'attest the image again with `cosign attest --key`; this attestation layer is damaged',
  );
}
