/** A signature over the payload, in the two shapes an attestation can carry. */
export type MadeSignature =
  | { kind: 'pgp'; armored: string; keyFingerprint: string }
  | { kind: 'pkix'; signature: Uint8Array; keyId: string; algorithm: string };

export interface KeySource {
  describe: string;
  sign(payload: Uint8Array): Promise<MadeSignature>;
}
