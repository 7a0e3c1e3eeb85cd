export { armoredPgpSignatureOf, pgpSignedPayload } from './attached-payload.js';

export { normalizeFingerprint } from './fingerprint.js';
export { generatePgpKey } from './generate.js';
export { findPgpKeyById, type PgpPublicKey, readPgpPublicKeys } from './keys.js';
export { signPgpAttached } from './sign.js';
export {
  verifyPgpAttached,
  verifyPgpDetached,
} from './verify.js';
