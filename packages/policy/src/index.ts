// The image reference parser lives in @signet/signing (payload identity checks need it).
export {
  formatImageReference,
  type ImageReference,
  isSha256Digest,
  parseImageReference,
  resourceUrl,
} from '@signet/signing';
export { canonicalImage, findAllowlistMatch, matchesAllowlistPattern } from './allowlist.js';
export {
  AUDIT_SKIPPED_NAMESPACES,
  type AuditInput,
  type AuditReport,
  auditPods,
  findingSummary,
  type PodFinding,
  type PodObject,
} from './audit.js';
export { type LookupCounts, RunLookups } from './audit-lookups.js';
export { controllerOf, INTERMEDIATE_OWNERS, type WorkloadOwner, workloadOwner } from './audit-owner.js';
export { normalizePgpKeyId } from './authority-keys.js';
export {
  BREAKGLASS_ANNOTATION,
  BREAKGLASS_LABEL,
  type BreakglassState,
  findBreakglass,
} from './breakglass.js';
export { buildCrds } from './crds.js';
export { renderCrdsYaml } from './crds-yaml.js';
export { decide, decideReview, malformedRequestDecision } from './decide.js';
export type {
  Decision,
  DecisionInput,
  DecisionReason,
  DenialKind,
  ReviewDecisionInput,
} from './decision-types.js';
export {
  collectNamespacePolicies,
  type DocumentResult,
  describeDocument,
  parseYamlDocuments,
} from './documents.js';
export { PolicyError } from './errors.js';
export type { ImageDecision } from './image-decision.js';
export type {
  AttestationEvidence,
  MetadataSource,
  ScanRecord,
  ScanStatus,
  VulnerabilityFinding,
} from './metadata.js';
export { isNamespaceName, NAMESPACE_NAME_HELP, namespacesMeant } from './namespace-name.js';
export {
  type AttestationRecord,
  attestationEvidence,
  type DiscoveryRecord,
  type ImageOccurrenceListing,
  type ImageScan,
  type NoteOccurrence,
  OccurrenceMetadataSource,
  type OccurrenceReader,
  type OccurrenceSourceOptions,
  type ReadOptions,
  scanRecord,
  type UnreadableOccurrence,
  unreadableFindings,
  type VulnerabilityRecord,
  vulnerabilityFinding,
} from './occurrence-source.js';
export {
  describeResource,
  type ParseResult,
  POLICY_KINDS,
  parseAttestationAuthority,
  parseClusterSettings,
  parseGenericAttestationPolicy,
  parseImageSecurityPolicy,
  parsePolicyResource,
  parseVulnzSigningPolicy,
} from './parse.js';
export {
  FOLDER_POLICY_KINDS,
  type PolicyFileContents,
  type PolicyFileEntry,
  type PolicyFilePlace,
  readPolicyFileContents,
  unparsedFileConcerns,
} from './policy-file-contents.js';
export { vulnerabilityProjectFor } from './project.js';
export {
  type MalformedRequest,
  type RequestReading,
  type ReviewRequest,
  readReviewRequest,
} from './request.js';
export type * from './resource-types.js';
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
