/** Attestation signatures and discovery details, to and from the wire (the same in v1 and v1beta1). */
import { armoredPgpSignatureOf, decodeBase64, encodeBase64 } from '@signet/signing';
import { z } from 'zod';
import type { AttestationSignature, DiscoveryOccurrenceSpec, SignatureBytes } from '../model.js';
import type { DetailResult } from './detail-result.js';
import { isRecord, list, optString } from './json.js';
import { analysisStatus, contentType } from './shared-mapper.js';

// Built once: a zod schema's construction costs more than its parse (it was 7% of a note's read).
const signatureList = list(z.object({ signature: z.unknown().optional(), publicKeyId: optString }));

function decodeSignatures(raw: unknown): DetailResult<SignatureBytes[]> {
  const entries = signatureList.safeParse(raw);
  if (!entries.success) return { ok: false, reason: 'signatures is not a list of {signature, publicKeyId}' };
  const out: SignatureBytes[] = [];
  for (const [i, entry] of entries.data.entries()) {
    const bytes = typeof entry.signature === 'string' ? decodeBase64(entry.signature) : undefined;
    if (!bytes) return { ok: false, reason: `signatures[${i}].signature is not base64` };
    out.push({ publicKeyId: entry.publicKeyId ?? '', signature: bytes });
  }
  return { ok: true, value: out };
}

/** serializedPayload + signatures: v1beta1 genericSignedAttestation and v1 attestation share it. */
export function parseGeneric(raw: Record<string, unknown>): DetailResult<AttestationSignature> {
  const payloadText = raw.serializedPayload ?? '';
  const payload = typeof payloadText === 'string' ? decodeBase64(payloadText) : undefined;
  if (!payload) return { ok: false, reason: 'serializedPayload is not base64' };
  const signatures = decodeSignatures(raw.signatures);
  if (!signatures.ok) return signatures;
  const ct = raw.contentType === undefined ? undefined : contentType.parse(raw.contentType);
  return {
    ok: true,
    value: {
      form: 'generic',
      ...(ct ? { contentType: ct } : {}),
      serializedPayload: payload,
      signatures: signatures.value,
    },
  };
}

export function parsePgp(raw: Record<string, unknown>): DetailResult<AttestationSignature> {
  if (typeof raw.signature !== 'string' || raw.signature === '') {
    return { ok: false, reason: 'pgpSignedAttestation.signature is missing' };
  }
  const keyId = typeof raw.pgpKeyId === 'string' ? raw.pgpKeyId : '';
  return {
    ok: true,
    value: { form: 'pgp', signature: raw.signature, contentType: contentType.parse(raw.contentType), keyId },
  };
}

export function genericToWire(
  sig: Extract<AttestationSignature, { form: 'generic' }>,
): Record<string, unknown> {
  return {
    serializedPayload: encodeBase64(sig.serializedPayload),
    signatures: sig.signatures.map((s) => ({
      publicKeyId: s.publicKeyId,
      signature: encodeBase64(s.signature),
    })),
  };
}

/** The bytes a v1 reader gets for a PGP attestation stored through v1beta1: the armored text. */
export function pgpSignatureBytes(signature: string): Uint8Array {
  return new Uint8Array(Buffer.from(armoredPgpSignatureOf(signature) ?? signature, 'utf8'));
}

const discoverySchema = z.object({
  analysisStatus,
  continuousAnalysis: optString,
  analysisStatusError: z.unknown().optional(),
  lastAnalysisTime: optString,
});

type DiscoveryFields = Omit<DiscoveryOccurrenceSpec, 'kind' | 'resourceUri' | 'noteName' | 'remediation'>;

export function parseDiscovery(raw: unknown): DetailResult<DiscoveryFields> {
  if (!isRecord(raw)) return { ok: false, reason: 'discovery details are not an object' };
  const d = discoverySchema.parse(raw);
  const error = isRecord(d.analysisStatusError) ? d.analysisStatusError.message : undefined;
  return {
    ok: true,
    value: {
      analysisStatus: d.analysisStatus,
      ...(d.continuousAnalysis ? { continuousAnalysis: d.continuousAnalysis } : {}),
      ...(typeof error === 'string' && error ? { analysisStatusError: error } : {}),
      ...(d.lastAnalysisTime ? { lastAnalysisTime: d.lastAnalysisTime } : {}),
    },
  };
}

export function discoveryToWire(d: DiscoveryOccurrenceSpec): Record<string, unknown> {
  return {
    analysisStatus: d.analysisStatus,
    ...(d.continuousAnalysis ? { continuousAnalysis: d.continuousAnalysis } : {}),
    ...(d.analysisStatusError ? { analysisStatusError: { code: 2, message: d.analysisStatusError } } : {}),
    ...(d.lastAnalysisTime ? { lastAnalysisTime: d.lastAnalysisTime } : {}),
  };
}
