export { armoredPgpSignatureOf, pgpSignedPayload } from './attached-payload.js';
export type { PgpErrorCode } from './errors.js';
export { isV4Fingerprint, normalizeFingerprint } from './fingerprint.js';
export { type GeneratePgpKeyOptions, generatePgpKey } from './generate.js';
export { findPgpKeyById, type PgpPublicKey, readPgpPublicKeys } from './keys.js';
export { type PgpSignOptions, signPgpAttached } from './sign.js';
export {
  type PgpVerification,
  type PgpVerifyOptions,
  verifyPgpAttached,
  verifyPgpDetached,
} from './verify.js';
