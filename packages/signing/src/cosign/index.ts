// `@signet/signing/cosign`: cosign's signatures, attestations and bundles checked against a public key,
// offline. What the registry's cosign reader and the policy's cosign authorities import.
export { BUNDLE_MEDIA_TYPE, verifyCosignBundle } from './bundle.js';
export {
  type CosignKeyReading,
  type CosignPublicKey,
  readCosignPublicKey,
} from './cosign-key.js';
export type { CosignFailure, CosignFailureCode, SignedImage } from './cosign-result.js';
export { type CosignAttestationVerification, DSSE_MEDIA_TYPE, verifyCosignAttestation } from './dsse.js';
export {
  type CosignSignatureVerification,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  verifyCosignSignature,
} from './simple-signing.js';
