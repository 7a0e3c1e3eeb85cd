// What policy, grafeas-client, the apps and the guide's world import. Severities have their own entry,
// `@signet/signing/severity`, which loads no crypto.
export { decodeBase64, encodeBase64 } from './base64.js';
export {
  buildPayload,
  buildPayloadOfForm,
  checkPayloadIdentity,
  type PayloadForm,
  parsePayload,
} from './payload.js';
export {
  armoredPgpSignatureOf,
  findPgpKeyById,
  generatePgpKey,
  normalizeFingerprint,
  type PgpPublicKey,
  pgpSignedPayload,
  readPgpPublicKeys,
  signPgpAttached,
  verifyPgpAttached,
  verifyPgpDetached,
} from './pgp/index.js';
export {
  normalizePkixAlgorithm,
  PKIX_ALGORITHM_NAMES,
  type PkixAlgorithm,
  type PkixHash,
  pkixHash,
  pkixKeyId,
  publicKeyFromPrivatePem,
  signPkix,
  verifyPkix,
} from './pkix.js';
export {
  formatImageReference,
  type ImageReference,
  isSha256Digest,
  parseImageReference,
  resourceUrl,
} from './reference.js';
