// `@signet/signing/cosign`: cosign's signatures, attestations and bundles checked against a public key,
// offline. Exports what the registry's cosign reader and the policy's cosign authorities import.
export { BUNDLE_MEDIA_TYPE, verifyCosignBundle } from './bundle.js';
export { type CosignPublicKey, readCosignPublicKey } from './cosign-key.js';
export type { CosignFailure, SignedImage } from './cosign-result.js';
export { type CosignAttestationVerification, DSSE_MEDIA_TYPE, verifyCosignAttestation } from './dsse.js';
export {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  verifyCosignSignature,
} from './simple-signing.js';
