import type { ImageDecision } from './image-decision.js';
import type { EvidenceSource } from './metadata.js';
import type { ReviewRequest } from './request.js';
import type { NamespacePolicies } from './resource-types.js';
import type { ClusterSettings } from './schemas/settings.js';
import type { TemplateTags } from './template-tags.js';
import type { AttestationVerifier } from './verifier.js';
import type { Violation } from './violation.js';

export interface DecisionInput {
  /** `AdmissionReview.request`, as parsed from JSON (anything: it is checked here). */
  request: unknown;
  /** The parsed policies of the request's namespace, and those that failed validation. */
  policies: NamespacePolicies;
  /** Cluster settings; missing fields take their defaults. */
  settings?: Partial<ClusterSettings>;
  /** Grafeas metadata, and cosign evidence when it is also a CosignSource. */
  metadata: EvidenceSource;
  /** Reuse one across decisions to cache verification results (the webhook should). */
  verifier?: AttestationVerifier;
  /** The moment keys and signatures are judged at (default: now). */
  now?: Date;
  /** Tag-only images in workload templates: refused (default) or left to each Pod (see TemplateTags). */
  templateTags?: TemplateTags;
}

/** A decision over a request already read by `readReviewRequest`. */
export interface ReviewDecisionInput extends Omit<DecisionInput, 'request'> {
  request: ReviewRequest;
}

/** Why a decision came out as it did: the webhook's metric label and log field. */
export type DecisionReason =
  /** The namespace's policies decided every new or changed image. */
  | 'policy'
  /** Admitted by breakglass without looking at the images. */
  | 'breakglass'
  /** The namespace has no policy: the cluster's `noPolicy` setting decided. */
  | 'no-policy'
  /** Nothing to decide: not a CREATE or UPDATE, or no new or changed image. */
  | 'not-reviewed'
  /** A policy of the namespace is invalid, so the namespace fails closed. */
  | 'invalid-policy'
  /** The metadata backend failed: denied, or admitted under `onBackendError: allow` (see `failOpen`). */
  | 'backend-error'
  /** The request is not a readable AdmissionReview request (see `readReviewRequest`). */
  | 'malformed-request'
  /** Signet failed while deciding. */
  | 'internal-error';

/**
 * What would change a denial: the images or the policies (`policy`), only a retry once the metadata
 * backend answers again (`backend`: every violation is a backend failure), a well-formed request
 * (`request`), or a fix in Signet (`internal`).
 */
export type DenialKind = 'policy' | 'backend' | 'request' | 'internal';

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
  reason: DecisionReason;
  /** Set when denied. */
  denial?: DenialKind;
  /** A metadata backend failed and the cluster's `onBackendError: allow` let the images through. */
  failOpen: boolean;
  /** One per judged image, in the order of `images.judged` (empty when no image was judged). */
  perImage: ImageDecision[];
}
