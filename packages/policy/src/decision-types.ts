import type { MetadataSource } from './metadata.js';
import type { ReviewRequest } from './request.js';
import type { ClusterSettings } from './schemas/settings.js';
import type { NamespacePolicies } from './types.js';
import type { AttestationVerifier } from './verifier.js';

export interface DecisionInput {
  /** `AdmissionReview.request`, as parsed from JSON (anything: it is checked here). */
  request: unknown;
  /** The parsed policies of the request's namespace, and those that failed validation. */
  policies: NamespacePolicies;
  /** Cluster settings; missing fields take their defaults. */
  settings?: Partial<ClusterSettings>;
  metadata: MetadataSource;
  /** Reuse one across decisions to cache verification results (the webhook should). */
  verifier?: AttestationVerifier;
  /** The moment keys and signatures are judged at (default: now). */
  now?: Date;
  /** Aborts metadata lookups (the API server's `?timeout=`); a lookup cut short is a backend failure. */
  signal?: AbortSignal;
}

/** A decision over a request already read by `readReviewRequest`. */
export interface ReviewDecisionInput extends Omit<DecisionInput, 'request'> {
  request: ReviewRequest;
}

export type ViolationCode =
  | 'REQUEST_INVALID'
  | 'POLICY_INVALID'
  | 'NO_POLICY'
  | 'REFERENCE_INVALID'
  | 'NOT_PINNED'
  | 'NOT_ATTESTED'
  | 'AUTHORITY_MISSING'
  | 'VULNERABILITIES'
  | 'NOT_SCANNED'
  | 'NO_VULNERABILITY_PROJECT'
  | 'BACKEND_FAILED'
  | 'INTERNAL_ERROR';

export interface Violation {
  /** The image as written in the object; `*` for a problem that concerns every image. */
  image: string;
  /** The policy at fault, e.g. `GenericAttestationPolicy default/my-gap`. */
  policy: string;
  reason: string;
  fix: string;
  code: ViolationCode;
}

export interface Decision {
  allowed: boolean;
  /** What made (or would make, under enforcement) the request fail: every one, not only the first. */
  violations: Violation[];
  /** Violations of DryRun policies: reported, not enforced. */
  dryRunViolations: Violation[];
  /** For `response.warnings` (kubectl prints them). */
  warnings: string[];
  /** For `response.auditAnnotations`. */
  auditAnnotations: Record<string, string>;
  /** For the person whose deploy was refused (empty when allowed without remark). */
  message: string;
  /** True when breakglass admitted the object. */
  breakglass: boolean;
  /** Images judged (new or changed) and those left alone because oldObject already had them. */
  images: { judged: string[]; unchanged: string[] };
}
