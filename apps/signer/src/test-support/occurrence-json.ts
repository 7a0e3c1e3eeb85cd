/** Reads the signature out of an attestation occurrence printed by `--output json`, in either API version. */
export function signatureOf(occurrence: Record<string, unknown>): {
  signature: Buffer;
  keyId: string;
  payload?: Buffer;
} {
  const attestation = occurrence.attestation as Record<string, unknown>;
  const v1beta1 = attestation.attestation as Record<string, Record<string, string>> | undefined;
  if (v1beta1?.pgpSignedAttestation) {
    const pgp = v1beta1.pgpSignedAttestation;
    return { signature: Buffer.from(pgp.signature ?? '', 'utf8'), keyId: pgp.pgpKeyId ?? '' };
  }
  const generic = (v1beta1?.genericSignedAttestation ?? attestation) as unknown as {
    serializedPayload: string;
    signatures: { signature: string; publicKeyId: string }[];
  };
  const [first] = generic.signatures;
  return {
    signature: Buffer.from(first?.signature ?? '', 'base64'),
    keyId: first?.publicKeyId ?? '',
    payload: Buffer.from(generic.serializedPayload, 'base64'),
  };
}
