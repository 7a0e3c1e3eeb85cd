export { recordedCases } from './gcloud-528.js';
export {
  attestWithGcloud,
  authorityYaml,
  type GcloudAttestations,
  policyYaml,
} from './gcloud-attestations.js';
export { type RewritingProxy, startRewritingProxy } from './rewriting-proxy.js';
