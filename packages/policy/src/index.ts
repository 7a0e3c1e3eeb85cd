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
export { decide, decideReview, malformedRequestDecision } from './decide.js';
export type {
  Decision,
  DecisionReason,
  DenialKind,
} from './decision-types.js';
export {
  collectNamespacePolicies,
  type DocumentResult,
  describeDocument,
  parseYamlDocuments,
} from './documents.js';
export {
  type AttestationEvidence,
  attestationEvidence,
  type MetadataSource,
  type ScanRecord,
  scanRecord,
  type UnreadableOccurrence,
  unreadableFindings,
  type VulnerabilityFinding,
  vulnerabilityFinding,
} from './metadata.js';
export {
  parseAttestationAuthority,
  parseClusterSettings,
  parseGenericAttestationPolicy,
  parsePolicyResource,
} from './parse.js';
export {
  FOLDER_POLICY_KINDS,
  readPolicyFileContents,
  unparsedFileConcerns,
} from './policy-file-contents.js';
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
export {
  attestationAuthorityDocument,
  genericAttestationPolicyDocument,
  imageSecurityPolicyDocument,
  vulnzSigningPolicyDocument,
} from './schemas/resources.js';
export { type ClusterSettings, clusterSettingsSchema, DEFAULT_SETTINGS } from './schemas/settings.js';
export {
  compareSeverity,
  type JudgedSeverity,
  judgeFixAvailable,
  judgeSeverity,
  type KnownSeverity,
  readSeverity,
  SEVERITIES,
  SEVERITY_LIMITS,
  type Severity,
  type SeverityFields,
  type SeverityLimit,
  type SeverityReading,
  toSeverity,
  withinLimit,
} from './severity.js';
export { type DecodedText, decodePolicyText } from './text-encoding.js';
export {
  type AttestationCheck,
  AttestationVerifier,
  type AttestationVerifierOptions,
  type AttestedImage,
  BoundedCache,
  type CachedCheck,
  type VerificationCache,
} from './verifier.js';
export type { Violation, ViolationCode } from './violation.js';
export {
  checkVulnzSigningPolicy,
  cveIdOf,
  describeExcess,
  type ExcessVulnerability,
  findExcessVulnerabilities,
  type VulnerabilityLimits,
} from './vulnerabilities.js';
export {
  extractImages,
  findMalformedWorkload,
  type ImageField,
  type RequestImages,
  requestImages,
  type WorkloadImage,
} from './workload.js';
