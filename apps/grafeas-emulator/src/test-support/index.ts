export { type RecordedCase, type RecordedRequest, recordedCases } from './gcloud-528.js';
export {
  type AuthorityKey,
  attestWithGcloud,
  authorityYaml,
  type GcloudAttestations,
  policyYaml,
} from './gcloud-attestations.js';
