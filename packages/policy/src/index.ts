// What the webhook and the signer import; nothing more. CRD generation (crds.ts, crds-yaml.ts) is used
// by this package's scripts/generate-crds.ts only.
export {
  type AuditReport,
  auditPods,
  findingSummary,
  type PodFinding,
  type PodObject,
} from './audit.js';
export { controllerOf, INTERMEDIATE_OWNERS, type WorkloadOwner, workloadOwner } from './audit-owner.js';
export { checkCosignAuthority } from './cosign-authority.js';
export { decide, decideReview, malformedRequestDecision } from './decide.js';
export type { Decision, DecisionReason, DenialKind } from './decision-types.js';
export {
  collectNamespacePolicies,
  type DocumentResult,
  describeDocument,
  parseYamlDocuments,
} from './documents.js';
export type {
  AttestationEvidence,
  CosignArtifacts,
  CosignManifestRead,
  CosignReadOptions,
  CosignSource,
  EvidenceSource,
  MetadataSource,
  ScanRecord,
  VulnerabilityFinding,
} from './metadata.js';
export {
  attestationEvidence,
  type ImageOccurrenceListing,
  type ImageScan,
  type NoteOccurrence,
  OccurrenceMetadataSource,
  type OccurrenceReader,
  type PerImageRead,
  type ReadOptions,
  readsInBatches,
  scanRecord,
  unreadableFindings,
  vulnerabilityFinding,
} from './occurrence-source.js';
export {
  parseAttestationAuthority,
  parseClusterSettings,
  parseGenericAttestationPolicy,
  parseImageSecurityPolicy,
  parsePolicyResource,
} from './parse.js';
export { FOLDER_POLICY_KINDS, readPolicyFileContents, unparsedFileConcerns } from './policy-file-contents.js';
export { vulnerabilityProjectFor } from './project.js';
export { type ReviewRequest, readReviewRequest } from './request.js';
export type {
  AttestationAuthority,
  InvalidResource,
  NamespacePolicies,
  PolicyResource,
  VulnzSigningPolicy,
} from './resource-types.js';
export { KRITIS_API_VERSION } from './schemas/fields.js';
export type { ClusterSettings } from './schemas/settings.js';
export type { TemplateTags } from './template-tags.js';
export { decodePolicyText } from './text-encoding.js';
export { type AttestationCheck, AttestationVerifier } from './verifier.js';
export type { Violation } from './violation.js';
export { checkVulnzSigningPolicy, describeExcess, type ExcessVulnerability } from './vulnerabilities.js';
export { podSpecOf, REVIEWED_KINDS } from './workload.js';
