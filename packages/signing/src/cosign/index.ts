// `@signet/signing/cosign`: cosign's signatures, attestations and bundles checked against a public key,
// offline, and cosign 2.x signatures made with cosign's encrypted private keys. Exports what the
// registry's cosign reader, the policy's cosign authorities and the signer import.
export { makeCosignAttestationLayer } from './attest.js';
export { BUNDLE_MEDIA_TYPE, verifyCosignBundle } from './bundle.js';
export { type CosignPublicKey, readCosignPublicKey } from './cosign-key.js';
export type { CosignFailure, SignedImage } from './cosign-result.js';
export { type CosignAttestationVerification, DSSE_MEDIA_TYPE, verifyCosignAttestation } from './dsse.js';
export { generateCosignKeyPair } from './key-pair.js';
export { readCosignPrivateKey } from './private-key.js';
export { makeCosignSignatureLayer } from './sign.js';
export {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  verifyCosignSignature,
} from './simple-signing.js';
