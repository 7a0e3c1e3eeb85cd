import type { Logger } from 'pino';
import type { WebhookMetrics } from '../monitoring/metrics.js';
import {
  type AdmissionReviewResponse,
  admissionReviewResponse,
  deadlineReviewDecision,
  internalErrorReviewDecision,
} from './admission-response.js';
import { budgetFromTimeout, type DeadlineSettings, ReviewDeadline } from './deadline.js';
import type { Decider, ReviewDecision } from './decision.js';
import type { ParsedReview } from './review.js';

export interface ReviewHandlerOptions {
  decider: Decider;
  deadline: DeadlineSettings;
  /** `--on-backend-error allow`: a review that runs out of time is admitted with a warning. */
  failOpen: boolean;
  logger: Logger;
  metrics: WebhookMetrics;
  /**
   * Which endpoint's reviews (default `validate`): `mutate` counts them in
   * signet_mutation_decisions_total and stage `mutate`, and its deadline blames the registries.
   */
  hook?: 'validate' | 'mutate';
}

/**
 * Decides one review within the budget the API server allows. Whatever happens inside — a slow backend,
 * a bug — the result is a complete AdmissionReview, in time.
 */
export function createReviewHandler(options: ReviewHandlerOptions) {
  const { metrics, logger } = options;
  const mutate = options.hook === 'mutate';
  // Label lookups hash their label object; bind the children once instead of per review.
  const totalSeconds = metrics.stageSeconds.labels({ stage: mutate ? 'mutate' : 'total' });
  const decisions = mutate ? metrics.mutations : metrics.decisions;
  const decisionCounters = new Map<string, { inc(): void }>();
  const countDecision = (decision: string, reason: string) => {
    const key = `${decision}|${reason}`;
    let counter = decisionCounters.get(key);
    if (!counter) {
      counter = decisions.labels({ decision, reason });
      decisionCounters.set(key, counter);
    }
    counter.inc();
  };
  return async (review: ParsedReview, timeoutParam: unknown): Promise<AdmissionReviewResponse> => {
    const started = performance.now();
    const budgetMs = budgetFromTimeout(timeoutParam, options.deadline);
    metrics.inFlight.inc();
    const decision = await decideWithin(review, budgetMs, options);
    metrics.inFlight.dec();
    const seconds = (performance.now() - started) / 1000;
    totalSeconds.observe(seconds);
    countDecision(decision.allowed ? 'allow' : 'deny', decision.reason);
    logDecision(logger, review, decision, seconds, mutate ? 'mutation decision' : 'admission decision');
    return admissionReviewResponse(review.apiVersion, review.request.uid, decision);
  };
}

/**
 * The decision, or the deadline's answer if it comes first. A decision the decider returns at once (a
 * remembered admission, a malformed request) needs no timer: arming and clearing one per warm review
 * showed in the bench's profile.
 */
function decideWithin(
  review: ParsedReview,
  budgetMs: number,
  options: ReviewHandlerOptions,
): ReviewDecision | Promise<ReviewDecision> {
  const deadline = new ReviewDeadline(budgetMs);
  let pending: ReviewDecision | Promise<ReviewDecision>;
  try {
    pending = options.decider(review, deadline);
  } catch (error) {
    return internalError(review, error, options.logger);
  }
  if (!(pending instanceof Promise)) return pending;
  return raceDeadline(pending, review, deadline, budgetMs, options);
}

function raceDeadline(
  pending: Promise<ReviewDecision>,
  review: ParsedReview,
  deadline: ReviewDeadline,
  budgetMs: number,
  options: ReviewHandlerOptions,
): Promise<ReviewDecision> {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (decision: ReviewDecision) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve(decision);
    };
    // The timer, not the decider, guarantees the answer is in time.
    const timer = setTimeout(() => {
      deadline.expire();
      answer(
        options.hook === 'mutate'
          ? deadlineReviewDecision(budgetMs, false, 'registry')
          : deadlineReviewDecision(budgetMs, options.failOpen),
      );
    }, budgetMs);
    pending.then(answer, (error: unknown) => answer(internalError(review, error, options.logger)));
  });
}

function internalError(review: ParsedReview, error: unknown, logger: Logger): ReviewDecision {
  logger.error({ err: error, uid: review.request.uid }, 'internal error while deciding a review');
  return internalErrorReviewDecision(error);
}

/** Admissions that are routine: logged at debug (counted in signet_decisions_total at any level). */
const ROUTINE_ADMISSIONS = new Set<ReviewDecision['reason']>([
  'policy',
  'not-reviewed',
  'no-policy',
  'pinned',
  'already-pinned',
  'not-mutated',
  'resolve-off',
]);

/**
 * Every denial, breakglass and admission despite a failed backend at info; a routine admission at debug,
 * so that a warm webhook does not format and write one line per review (bench: see validate.bench.ts).
 */
function logDecision(
  logger: Logger,
  review: ParsedReview,
  decision: ReviewDecision,
  seconds: number,
  line: string,
): void {
  const level = decision.allowed && ROUTINE_ADMISSIONS.has(decision.reason) ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const { request } = review;
  logger[level](
    {
      uid: request.uid,
      namespace: request.namespace ?? '',
      object: `${request.kind.kind}/${request.name ?? ''}`,
      operation: request.operation,
      dryRun: request.dryRun === true,
      images: decision.images,
      decision: decision.allowed ? 'allow' : 'deny',
      reason: decision.reason,
      ...(decision.message ? { message: decision.message } : {}),
      durationMs: Math.round(seconds * 1e4) / 10,
    },
    line,
  );
}
