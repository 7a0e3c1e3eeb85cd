export { type AdmissionReviewResponse, admissionReviewResponse } from './admission/admission-response.js';
export {
  budgetFromTimeout,
  DEFAULT_DEADLINE_SETTINGS,
  type Deadline,
  type DeadlineSettings,
} from './admission/deadline.js';
export type { Decider, ReviewDecision, ReviewReason } from './admission/decision.js';
export {
  DEFAULT_DECISION_MEMO,
  DecisionMemo,
  type DecisionMemoSettings,
} from './admission/decision-memo.js';
export { createPolicyDecider, type PolicyDeciderOptions } from './admission/policy-decider.js';
export {
  ADMISSION_V1,
  ADMISSION_V1BETA1,
  type ParsedReview,
  parseAdmissionReview,
} from './admission/review.js';
export type { TlsFiles, TlsMaterial, TlsSource } from './certs/tls.js';
export { defaultPoliciesDir, defaultStoreUrl } from './cli/defaults.js';
export { buildProgram, type WebhookCliOptions } from './cli/program.js';
export { runCli } from './cli/run-cli.js';
export { WebhookError } from './errors.js';
export { CachedMetadataSource } from './metadata/cached-metadata-source.js';
export {
  type CacheSettings,
  DEFAULT_CACHE_SETTINGS,
  SingleflightCache,
} from './metadata/singleflight-cache.js';
export { createMetrics, type WebhookMetrics } from './monitoring/metrics.js';
export { type FilePolicySourceOptions, filePolicySource } from './policies/file-policy-source.js';
export {
  type KubernetesPolicySourceOptions,
  kubernetesPolicySource,
  loadKubeConfig,
} from './policies/kubernetes-policy-source.js';
export { NamespacePolicyResolver } from './policies/namespace-policies.js';
export type {
  PolicyDocument,
  PolicyProblem,
  PolicySnapshot,
  PolicySource,
} from './policies/policy-source.js';
export { staticPolicySource } from './policies/policy-source.js';
export {
  createWebhookServer,
  type WebhookServer,
  type WebhookServerOptions,
} from './server/webhook-server.js';
export { type RunningWebhook, startWebhook, type WebhookConfig } from './start-webhook.js';
