import { z } from 'zod';
import type { CosignPublicKey } from './cosign-key.js';
import { type CosignFailure, cosignFailure, type SignedImage } from './cosign-result.js';
import {
  type CosignAttestationVerification,
  type DsseEnvelope,
  dsseEnvelopeSchema,
  verifyDsseEnvelope,
} from './dsse.js';
import { describeIssues, readStrictJson } from './signed-json.js';

/** The bundle cosign 2.5 writes (`attest --new-bundle-format`) and cosign 3 stores as an OCI referrer. */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

const bundleSchema = z.object({
  mediaType: z.string(),
  verificationMaterial: z.record(z.string(), z.unknown()),
  dsseEnvelope: z.unknown().optional(),
  messageSignature: z.unknown().optional(),
});
const publicKeySchema = z.object({ hint: z.string().optional() });

/**
 * Checks a Sigstore bundle v0.3 signed with a key, offline: its DSSE envelope as verifyCosignAttestation
 * does. Transparency-log entries and timestamps in it are not read (key trust needs neither); bundles
 * with a certificate (keyless) and message signatures are refused as not supported yet.
 */
export function verifyCosignBundle(
  key: CosignPublicKey,
  layer: Uint8Array,
  image: SignedImage,
): CosignAttestationVerification {
  const json = readStrictJson(layer);
  const parsed = json.ok ? bundleSchema.safeParse(json.value) : undefined;
  if (!parsed?.success) {
    const reason = json.ok ? describeIssues(parsed!.error!) : json.reason;
    return bundleInvalid(`the layer is not a Sigstore bundle: ${reason}`);
  }
  const bundle = parsed.data;
  if (bundle.mediaType !== BUNDLE_MEDIA_TYPE) {
    return unsupported(
      `the bundle's mediaType is ${JSON.stringify(bundle.mediaType)}, not ${BUNDLE_MEDIA_TYPE}`,
    );
  }
  const material = publicKeySchema.safeParse(bundle.verificationMaterial.publicKey);
  if (!material.success) {
    const kinds = Object.keys(bundle.verificationMaterial).join(', ') || 'nothing';
    return unsupported(
      `the bundle is not signed with a public key (its verificationMaterial holds ${kinds})`,
    );
  }
  const hint = material.data.hint;
  if (hint !== undefined && hint !== '' && hint !== key.hint) {
    return cosignFailure(
      'COSIGN_SIGNATURE_INVALID',
      `the bundle was signed with another key (hint ${hint}; the authority's key is ${key.hint})`,
      "attest the image with the private key of the authority's publicKeyData, or put that key's public half in publicKeyData",
    );
  }
  if (bundle.dsseEnvelope === undefined) {
    const content = bundle.messageSignature === undefined ? 'no content' : 'a messageSignature';
    return unsupported(`the bundle holds ${content}, not a dsseEnvelope`);
  }
  const envelope = readEnvelope(bundle.dsseEnvelope);
  if ('valid' in envelope) return envelope;
  return verifyDsseEnvelope(key, envelope, image);
}

function readEnvelope(value: unknown): DsseEnvelope | CosignFailure {
  const parsed = dsseEnvelopeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return bundleInvalid(`the bundle's dsseEnvelope cannot be read: ${describeIssues(parsed.error)}`);
}

function bundleInvalid(message: string): CosignFailure {
  return cosignFailure(
    'COSIGN_BUNDLE_INVALID',
    message,
    'attest the image again with `cosign attest --key KEY --new-bundle-format`; this bundle is damaged',
  );
}

function unsupported(message: string): CosignFailure {
  return cosignFailure(
    'COSIGN_BUNDLE_UNSUPPORTED',
    `${message}: Signet verifies key-signed DSSE bundles only (keyless verification is not supported yet)`,
    "sign with a key (`cosign attest --key KEY --new-bundle-format`) and put its public half in the authority's publicKeyData",
  );
}
