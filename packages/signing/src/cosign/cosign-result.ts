/** Why a cosign key, signature or attestation was refused: a stable code to branch on, never the message. */
export type CosignFailureCode =
  | 'COSIGN_KEY_INVALID'
  | 'COSIGN_SIGNATURE_MALFORMED'
  | 'COSIGN_SIGNATURE_INVALID'
  | 'COSIGN_PAYLOAD_INVALID'
  | 'COSIGN_PAYLOAD_TYPE'
  | 'COSIGN_DIGEST_MISMATCH'
  | 'COSIGN_REPOSITORY_MISMATCH'
  | 'COSIGN_ENVELOPE_INVALID'
  | 'COSIGN_STATEMENT_INVALID'
  | 'COSIGN_SUBJECT_MISMATCH'
  | 'COSIGN_BUNDLE_INVALID'
  | 'COSIGN_BUNDLE_UNSUPPORTED';

/** A refusal: what failed (`message`) and what would make it pass (`fix`). */
export interface CosignFailure {
  readonly valid: false;
  readonly code: CosignFailureCode;
  readonly message: string;
  readonly fix: string;
}

export function cosignFailure(code: CosignFailureCode, message: string, fix: string): CosignFailure {
  return { valid: false, code, message, fix };
}

/** The image a signature must name: its normalised repository (`ImageReference.name`) and digest. */
export interface SignedImage {
  readonly name: string;
  readonly digest: string;
}
