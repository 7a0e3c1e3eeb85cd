import { type Config, config as defaults, enums } from 'openpgp';

export const MIN_RSA_BITS = 2048;
/** Attestation payloads are a few hundred bytes; anything near these limits is not one. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const MAX_KEY_BYTES = 4 * 1024 * 1024;
/** Clock skew tolerated between the signer and the verifier. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export const WEAK_HASHES: ReadonlySet<enums.hash> = new Set([
  enums.hash.md5,
  enums.hash.sha1,
  enums.hash.ripemd,
]);

/** Our own copy: the library-wide `openpgp.config` is shared with anything else in the process. */
export const strictConfig: Config = {
  ...defaults,
  minRSABits: MIN_RSA_BITS,
  maxDecompressedMessageSize: MAX_MESSAGE_BYTES,
  rejectMessageHashAlgorithms: new Set([...WEAK_HASHES]),
};

/**
 * For looking keys up only: key strength is enforced by our own checks (with their own error code),
 * so openpgp must not hide a weak key behind a generic "no valid signing key".
 */
export const lookupConfig: Config = {
  ...strictConfig,
  minRSABits: 0,
  rejectPublicKeyAlgorithms: new Set(),
};
