import { SigningError } from '../signing-error.js';

/** Every code the OpenPGP half of @signet/signing raises. */
export type PgpErrorCode =
  | 'PGP_MALFORMED'
  | 'PGP_NOT_SIGNED'
  | 'PGP_BAD_SIGNATURE'
  | 'PGP_UNKNOWN_KEY'
  | 'PGP_KEY_EXPIRED'
  | 'PGP_KEY_REVOKED'
  | 'PGP_KEY_INVALID'
  | 'PGP_SIGNATURE_EXPIRED'
  | 'PGP_SIGNATURE_NOT_YET_VALID'
  | 'PGP_WEAK_HASH'
  | 'PGP_WEAK_KEY'
  | 'PGP_PASSPHRASE_REQUIRED'
  | 'PGP_PASSPHRASE_WRONG'
  | 'PGP_INVALID_USER_ID';

export function pgpError(code: PgpErrorCode, message: string, fix: string, cause?: unknown): SigningError {
  return new SigningError(code, message, fix, cause === undefined ? undefined : { cause });
}

/**
 * Runs `work` and turns anything but a SigningError into `fallback`: callers must only ever see typed
 * errors, whatever bytes they fed in.
 */
export async function onlySigningErrors<T>(
  work: () => Promise<T>,
  fallback: (error: unknown) => SigningError,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw fallback(error);
  }
}
