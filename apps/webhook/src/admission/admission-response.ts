import { errorMessage } from '@signet/errors';
import type { Decision, DenialKind } from '@signet/policy';
import type { ReviewDecision } from './decision.js';
import type { AdmissionApiVersion } from './review.js';

/**
 * The one place an answer is shaped: the policy's decision, the deadline's answer or an internal error
 * becomes a ReviewDecision, and a ReviewDecision becomes the AdmissionResponse. Nothing else in the
 * webhook knows the HTTP status of a denial.
 */

interface AdmissionStatus {
  code: number;
  reason: string;
  message: string;
}

interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: 'JSONPatch';
  /** base64 of the JSON array of RFC 6902 operations. */
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** The status of a denial says what would change it (see DenialKind). */
const DENIAL_STATUS: Readonly<Record<DenialKind, Omit<AdmissionStatus, 'message'>>> = {
  policy: { code: 403, reason: 'Forbidden' },
  request: { code: 400, reason: 'BadRequest' },
  backend: { code: 503, reason: 'ServiceUnavailable' },
  internal: { code: 500, reason: 'InternalError' },
};

/** The policy's decision as the webhook answers, logs and remembers it. */
export function policyReviewDecision(decision: Decision): ReviewDecision {
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    message: decision.message,
    ...(decision.denial ? { denial: decision.denial } : {}),
    images: [...decision.images.judged, ...decision.images.unchanged],
    warnings: decision.warnings,
    auditAnnotations: decision.auditAnnotations,
  };
}

/** What a review waits for: the metadata backend (POST /validate) or the registries (POST /mutate). */
type SlowPart = 'metadata' | 'registry';

const SLOW_PART: Readonly<Record<SlowPart, { what: string; check: string }>> = {
  metadata: {
    what: 'the metadata backend (or a registry holding cosign signatures) is too slow',
    check: "check the metadata store's health, and that the registries cosign authorities read are reachable",
  },
  registry: {
    what: 'resolving image tags took too long',
    check: 'check the registries are reachable from the webhook, or pin the images by digest',
  },
};

/** The answer when the review's time ran out: a backend denial, or an admission under fail-open. */
export function deadlineReviewDecision(
  budgetMs: number,
  failOpen: boolean,
  slow: SlowPart = 'metadata',
): ReviewDecision {
  const message = `Signet could not decide within ${budgetMs} ms (the API server's timeout minus a safety margin): ${SLOW_PART[slow].what}`;
  const auditAnnotations = { 'backend-error': message };
  if (failOpen) {
    return {
      allowed: true,
      reason: 'deadline',
      message,
      images: [],
      warnings: [`${message}; admitted because --on-backend-error=allow`],
      auditAnnotations,
    };
  }
  return {
    allowed: false,
    reason: 'deadline',
    denial: 'backend',
    message: `${message}. Retry, or ${SLOW_PART[slow].check}.`,
    images: [],
    warnings: [],
    auditAnnotations,
  };
}

/** The answer when deciding threw: a denial that points at the logs. */
export function internalErrorReviewDecision(error: unknown): ReviewDecision {
  const detail = errorMessage(error).slice(0, 200);
  return {
    allowed: false,
    reason: 'internal-error',
    denial: 'internal',
    message: `Signet denied the request because of an internal error (${detail}); see the webhook's logs`,
    images: [],
    warnings: [],
    auditAnnotations: { 'internal-error': detail },
  };
}

/** The API server truncates long warnings and refuses audit annotation keys that are not qualified names. */
const MAX_WARNING_CHARS = 256;
const MAX_WARNINGS = 32;
const AUDIT_KEY = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** A complete AdmissionReview answering the review `uid`, in the API version it was asked in. */
export function admissionReviewResponse(
  apiVersion: AdmissionApiVersion,
  uid: string,
  decision: ReviewDecision,
): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed) {
    response.status = { ...DENIAL_STATUS[decision.denial ?? 'policy'], message: decision.message };
  }
  const warnings = decision.warnings.slice(0, MAX_WARNINGS).map(truncateWarning);
  if (warnings.length > 0) response.warnings = warnings;
  const annotations = sanitizeAuditAnnotations(decision.auditAnnotations);
  if (Object.keys(annotations).length > 0) response.auditAnnotations = annotations;
  if (decision.allowed && decision.patch && decision.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  return { apiVersion, kind: 'AdmissionReview', response };
}

function truncateWarning(warning: string): string {
  return warning.length <= MAX_WARNING_CHARS ? warning : `${warning.slice(0, MAX_WARNING_CHARS - 1)}…`;
}

function sanitizeAuditAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (AUDIT_KEY.test(key) && typeof value === 'string') clean[key] = value;
  }
  return clean;
}
