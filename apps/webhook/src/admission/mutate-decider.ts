import { errorMessage, isSignetError } from '@signet/errors';
import type { DenialKind } from '@signet/policy';
import { malformedRequestDecision, readReviewRequest } from '@signet/policy';
import { type CredentialProvider, type RegistryClient, RegistryError } from '@signet/registry';
import type { WebhookMetrics } from '../monitoring/metrics.js';
import { policyReviewDecision } from './admission-response.js';
import type { Deadline } from './deadline.js';
import type { Decider, MutationReason, ReviewDecision } from './decision.js';
import { type PinPlan, pinPatch, pinsRequest, planPins, type ResolveMode } from './image-pins.js';

/**
 * The credentials of one review (its Pod's imagePullSecrets, then its ServiceAccount's): asked once per
 * review that has tags to resolve; what it answers goes before the webhook's own credentials. A throw
 * denies the review with its message. `problems`: the pull secrets it had to skip (missing, forbidden,
 * malformed), named in a denial when the registry then refuses the request (401/403).
 */
export type PullSecretsReader = (
  target: { namespace: string; podSpec: unknown },
  signal: AbortSignal,
) => Promise<ReviewCredentials | undefined>;

type ReviewCredentials = CredentialProvider & {
  readonly problems?: readonly { readonly message: string; readonly fix: string }[];
};

/** The registry refused the credentials (or their absence): the skipped pull secrets may be why. */
const REFUSALS = new Set(['REGISTRY_UNAUTHORIZED', 'REGISTRY_DENIED']);

export interface MutateDeciderOptions {
  /** `--resolve-tags`. */
  mode: ResolveMode;
  registry: Pick<RegistryClient, 'resolve'>;
  pullSecrets?: PullSecretsReader;
  metrics: WebhookMetrics;
}

/** Resolutions still running this long before the review's deadline are given up, so the denial is in time. */
const MAX_EARLY_MS = 50;

/**
 * POST /mutate: pins every new tag-only image of a Pod (or, with `all`, of a workload template) to the
 * digest its registry serves. Fails closed: a tag that cannot be resolved before the deadline denies.
 */
export function createMutateDecider(options: MutateDeciderOptions): Decider {
  const count = resultCounter(options.metrics);
  return async (review, deadline) => {
    const { kind, operation, subResource } = review.request;
    if (options.mode === 'off') return admitted('resolve-off', 'tag resolution is off (--resolve-tags off)');
    if (!pinsRequest({ kind: kind.kind, operation, subResource }, options.mode)) {
      return admitted('not-mutated', `--resolve-tags ${options.mode} does not pin this object`);
    }
    const reading = readReviewRequest(review.request);
    if (!reading.ok) return policyReviewDecision(malformedRequestDecision(reading));
    const plan = planPins(reading.request);
    if (plan.images.length === 0) return admitted('already-pinned', 'no tag-only image to pin');
    return withSignal(deadline, (signal) =>
      resolvePlan(plan, reading.request.namespace, signal, options, count),
    );
  };
}

async function resolvePlan(
  plan: PinPlan,
  namespace: string,
  signal: AbortSignal,
  options: MutateDeciderOptions,
  count: (result: string) => void,
): Promise<ReviewDecision> {
  let credentials: ReviewCredentials | undefined;
  try {
    credentials = await options.pullSecrets?.({ namespace, podSpec: plan.podSpec }, signal);
  } catch (error) {
    const text = isSignetError(error) ? `${error.message}; fix: ${error.fix}` : errorMessage(error);
    return denied('pull-secrets', 'backend', plan.images, `Signet could not read the pull secrets: ${text}`);
  }
  const call = { signal, ...(credentials ? { credentials } : {}) };
  const settled = await Promise.allSettled(plan.images.map((image) => options.registry.resolve(image, call)));
  const digests = new Map<string, string>();
  const failures: ResolveFailure[] = [];
  settled.forEach((outcome, i) => {
    const image = plan.images[i] as string;
    if (outcome.status === 'fulfilled') {
      count(outcome.value.cached ? 'cached' : 'fetched');
      digests.set(image, outcome.value.digest);
    } else {
      const failure = describeFailure(image, outcome.reason, credentials?.problems ?? []);
      count(failure.code);
      failures.push(failure);
    }
  });
  if (failures.length > 0) {
    const message = `Signet could not pin ${failures.length === 1 ? 'an image' : `${failures.length} images`} by digest: ${failures.map((f) => f.text).join('; ')}`;
    return denied('registry-error', (failures[0] as ResolveFailure).denial, plan.images, message);
  }
  return {
    allowed: true,
    reason: 'pinned',
    message: `pinned ${plan.images.length} image(s) by digest`,
    images: plan.images,
    warnings: [],
    auditAnnotations: {},
    patch: pinPatch(plan, digests),
  };
}

interface ResolveFailure {
  code: string;
  denial: DenialKind;
  text: string;
}

/** What retrying later can fix (503); everything else needs a change of image, credentials or flags (403). */
const RETRYABLE = new Set(['REGISTRY_TIMEOUT', 'REGISTRY_UNREACHABLE', 'REGISTRY_BAD_RESPONSE']);

/** One failed resolution, by its error's code: the registry, the HTTP status when there was one, the fix. */
function describeFailure(
  image: string,
  error: unknown,
  skippedSecrets: NonNullable<ReviewCredentials['problems']>,
): ResolveFailure {
  if (error instanceof RegistryError) {
    const status = error.status === undefined ? '' : `, HTTP ${error.status}`;
    const skipped =
      REFUSALS.has(error.code) && skippedSecrets.length > 0
        ? `; skipped pull secrets: ${skippedSecrets.map((p) => `${p.message} (fix: ${p.fix})`).join('; ')}`
        : '';
    return {
      code: error.code,
      denial: RETRYABLE.has(error.code) ? 'backend' : 'policy',
      text: `${image} (registry ${error.registry ?? 'unknown'}${status}): ${error.message}; fix: ${error.fix}${skipped}`,
    };
  }
  if (isSignetError(error)) {
    // REFERENCE_INVALID: the image string itself; any other is the client's and says so.
    const denial: DenialKind = error.code === 'REFERENCE_INVALID' ? 'request' : 'internal';
    return { code: error.code, denial, text: `${image}: ${error.message}; fix: ${error.fix}` };
  }
  return { code: 'INTERNAL_ERROR', denial: 'internal', text: `${image}: ${errorMessage(error)}` };
}

/**
 * Runs `work` with a signal that aborts shortly before the review's deadline, so a resolution still
 * waiting then fails as REGISTRY_TIMEOUT (naming its registry) before the handler's timer answers.
 */
async function withSignal<T>(deadline: Deadline, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const remaining = deadline.remainingMs();
  const timer = Number.isFinite(remaining)
    ? setTimeout(() => controller.abort(), Math.max(0, remaining - Math.min(MAX_EARLY_MS, remaining / 10)))
    : undefined;
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

function resultCounter(metrics: WebhookMetrics): (result: string) => void {
  const children = new Map<string, { inc(): void }>();
  return (result) => {
    let child = children.get(result);
    if (!child) {
      child = metrics.resolutions.labels({ result });
      children.set(result, child);
    }
    child.inc();
  };
}

function admitted(reason: MutationReason, message: string): ReviewDecision {
  return { allowed: true, reason, message, images: [], warnings: [], auditAnnotations: {} };
}

function denied(
  reason: MutationReason,
  denial: DenialKind,
  images: readonly string[],
  message: string,
): ReviewDecision {
  return {
    allowed: false,
    reason,
    denial,
    message,
    images,
    warnings: [],
    auditAnnotations: { 'resolve-error': message.slice(0, 1024) },
  };
}
