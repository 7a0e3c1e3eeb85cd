import type { KubeConfig } from '@kubernetes/client-node';
import { isSignetError } from '@signet/errors';
import { type CredentialProvider, credentialChain } from '@signet/registry';
import { z } from 'zod';
import { WebhookError } from '../errors.js';
import { SingleflightCache } from '../metadata/singleflight-cache.js';
import { type CoreObjectName, KubeReadFailure, kubeGet } from './kube-get.js';
import {
  describeObject,
  forbidden,
  malformed,
  notFound,
  type PullSecretProblem,
  unreadable,
} from './pull-secret-problem.js';
import { secretCredentials } from './secret-credentials.js';

/**
 * The registry logins of a review's pull secrets, tried in order (the first Secret with an entry for
 * the image's registry answers), plus what was named and not used.
 */
type PullSecretCredentials = CredentialProvider & {
  /** The pull secrets read and used, in the order they are tried: `team/regcred`. */
  readonly secrets: readonly string[];
  /** Each named Secret (or ServiceAccount) that was not used, and why; empty when all were. */
  readonly problems: readonly PullSecretProblem[];
};

/**
 * The pull secrets of one review's pod spec, in its namespace: `undefined` when it names none (nor does
 * its ServiceAccount) and nothing went wrong, so the registry client uses its own credentials alone.
 */
export type PullSecretReader = (
  target: { namespace: string; podSpec: unknown },
  signal: AbortSignal,
) => Promise<PullSecretCredentials | undefined>;

export interface PullSecretReaderOptions {
  /** The connection `--kubernetes` makes: the in-cluster service account, or `--kubeconfig`. */
  kubeConfig: KubeConfig;
  /** How long an answer about one Secret or ServiceAccount is reused (found, missing or forbidden). Default 30 s. */
  ttlMs?: number;
  /** How many Secrets (and, apart, ServiceAccounts) are kept. Default 1,000 each. */
  maxEntries?: number;
  /** How long one GET may take, whoever waits for it; then its object counts as unreadable. Default 3 s. */
  timeoutMs?: number;
  /** The clock of the cache (ms); tests give a fake one. */
  clock?: () => number;
}

const DEFAULT_PULL_SECRET_TTL_MS = 30_000;

/** What one GET of a Secret came to, kept per Secret (the review that named it is not part of it). */
type SecretAnswer =
  | { status: 'usable'; credentials: CredentialProvider }
  | { status: 'not-found' }
  | { status: 'forbidden' }
  | { status: 'malformed'; error: { message: string; fix: string } };

type ServiceAccountAnswer =
  | { status: 'found'; pullSecrets: string[] }
  | { status: 'not-found' }
  | { status: 'forbidden' };

/** A Secret's part in one review: its logins, or the problem that kept it out. */
type SecretUse = { name: string; credentials: CredentialProvider } | { problem: PullSecretProblem };

const Named = z.object({ name: z.string().optional().catch(undefined) }).catch({});
const NamedList = z.array(Named).nullish().catch(undefined);
const OptionalName = z.string().nullish().catch(undefined);
const PodSpecFields = z
  .object({ imagePullSecrets: NamedList, serviceAccountName: OptionalName, serviceAccount: OptionalName })
  .catch({});
const ServiceAccountFields = z.object({ imagePullSecrets: NamedList });

/**
 * Credentials from the pod spec's `imagePullSecrets` (in order), then from its ServiceAccount's
 * (`serviceAccountName`, else the deprecated `serviceAccount`, else `default`), all in the review's
 * namespace: item 1 of issue 22's credential order, before `--registry-config`, Google's and anonymous.
 *
 * - Reads by GET only (`get` on secrets and serviceaccounts; never a list or watch of every Secret),
 *   each object cached for `ttlMs` (bounded, one GET at a time per object, shared by concurrent reviews).
 *   The Pod's secrets and its ServiceAccount are asked at once; the ServiceAccount's secrets then.
 * - A pull secret that is missing, forbidden or malformed is skipped (as the kubelet skips a missing
 *   one), and so is one the API server does not answer (a 5xx, a timeout, no connection): the tags are
 *   resolved without it. Why this does not fail closed: this reader only feeds tag resolution at `/mutate`,
 *   which admits nothing by itself (the validating webhook still judges the pinned digest); a skipped
 *   login can only make the registry refuse (a denial), never admit an image. Each skip is returned
 *   as a typed `PullSecretProblem` in `problems` (no message to match), for the denial to cite when
 *   the registry answers 401/403.
 * - The result is a `CredentialProvider` (give it to `registry.resolve(image, { credentials })`) with
 *   two more properties: `secrets` (read and used, in order) and `problems`. Across Secrets the first
 *   with an entry for the image's registry answers, as the kubelet tries them in order; within one,
 *   `dockerConfigCredentials` picks the longest matching key.
 * - `signal` (the review's deadline) ends the wait with a WebhookError `PULL_SECRETS_DEADLINE`; the
 *   shared GETs go on (another review may be waiting for them) until `timeoutMs`.
 *
 * One difference with the kubelet remains: for a Pod that names pull secrets of its own, the kubelet
 * uses those alone (the ServiceAccount admission plugin copies the ServiceAccount's only into a Pod
 * that names none), while this reader tries the ServiceAccount's after them. That can only resolve a
 * tag the kubelet then fails to pull; it admits nothing.
 */
export function kubernetesPullSecrets(options: PullSecretReaderOptions): PullSecretReader {
  const reader = new CachedPullSecrets(options);
  return (target, signal) => {
    if (signal.aborted) return Promise.reject(deadlinePassed(signal));
    const spec = PodSpecFields.parse(target.podSpec);
    const podSecrets = unique(names(spec.imagePullSecrets));
    const serviceAccount = spec.serviceAccountName || spec.serviceAccount || 'default';
    // Every GET the pod spec names starts now, before the first await: concurrent reviews share them.
    const fromPod = Promise.all(podSecrets.map((name) => reader.secretUse(target.namespace, name)));
    const fromAccount = reader.serviceAccountUses(target.namespace, serviceAccount, new Set(podSecrets));
    return abortable(
      Promise.all([fromPod, fromAccount]).then(([pod, account]) => credentialsOf([...pod, ...account])),
      signal,
    );
  };
}

/** One cache per kind of object, and what a review makes of each cached answer. */
class CachedPullSecrets {
  private readonly kube: KubeConfig;
  private readonly secrets: SingleflightCache<SecretAnswer>;
  private readonly accounts: SingleflightCache<ServiceAccountAnswer>;

  constructor(options: PullSecretReaderOptions) {
    const ttlMs = options.ttlMs ?? DEFAULT_PULL_SECRET_TTL_MS;
    const settings = {
      maxEntries: options.maxEntries ?? 1_000,
      ttlMs,
      emptyTtlMs: ttlMs,
      loadTimeoutMs: options.timeoutMs ?? 3_000,
    };
    // Every answer, found or not, is kept ttlMs; failures (KubeReadFailure) never are.
    const keepAll = () => false;
    this.kube = options.kubeConfig;
    this.secrets = new SingleflightCache(settings, undefined, keepAll, options.clock);
    this.accounts = new SingleflightCache(settings, undefined, keepAll, options.clock);
  }

  /** The Secret's logins, or why not; `serviceAccount` when the ServiceAccount named it. */
  secretUse(namespace: string, name: string, serviceAccount?: string): Promise<SecretUse> {
    const object: CoreObjectName = { kind: 'Secret', namespace, name };
    const namedBy = serviceAccount === undefined ? 'pod' : 'service-account';
    const label = describeObject(object, serviceAccount);
    return this.secrets
      .get(`${namespace}/${name}`, (signal) => readSecret(this.kube, object, signal))
      .then(
        (answer): SecretUse => {
          if (answer.status === 'usable')
            return { name: `${namespace}/${name}`, credentials: answer.credentials };
          if (answer.status === 'not-found') return { problem: notFound(object, label, namedBy) };
          if (answer.status === 'forbidden') return { problem: forbidden(object, label, namedBy) };
          return { problem: malformed(object, namedBy, answer.error) };
        },
        (error: unknown) => ({ problem: unreadable(object, label, namedBy, failureDetail(error)) }),
      );
  }

  /** The ServiceAccount's pull secrets but those in `skip` (the Pod's own), or why it was not read. */
  async serviceAccountUses(namespace: string, name: string, skip: Set<string>): Promise<SecretUse[]> {
    const object: CoreObjectName = { kind: 'ServiceAccount', namespace, name };
    const label = describeObject(object, undefined);
    let answer: ServiceAccountAnswer;
    try {
      answer = await this.accounts.get(`${namespace}/${name}`, (signal) =>
        readServiceAccount(this.kube, object, signal),
      );
    } catch (error) {
      return [{ problem: unreadable(object, label, 'pod', failureDetail(error)) }];
    }
    if (answer.status === 'not-found') return [{ problem: notFound(object, label, 'pod') }];
    if (answer.status === 'forbidden') return [{ problem: forbidden(object, label, 'pod') }];
    const names = answer.pullSecrets.filter((secret) => !skip.has(secret));
    return Promise.all(names.map((secret) => this.secretUse(namespace, secret, name)));
  }
}

function credentialsOf(uses: readonly SecretUse[]): PullSecretCredentials | undefined {
  if (uses.length === 0) return undefined;
  const used = uses.filter((use) => 'credentials' in use);
  const problems = uses.flatMap((use) => ('problem' in use ? [use.problem] : []));
  return Object.assign(credentialChain(...used.map((use) => use.credentials)), {
    secrets: Object.freeze(used.map((use) => use.name)),
    problems: Object.freeze(problems),
  });
}

async function readSecret(
  kube: KubeConfig,
  object: CoreObjectName,
  signal: AbortSignal,
): Promise<SecretAnswer> {
  const answer = await kubeGet(kube, object, signal);
  if (answer.status !== 'found') return { status: answer.status };
  try {
    return {
      status: 'usable',
      credentials: secretCredentials(answer.object, `pull secret ${object.namespace}/${object.name}`),
    };
  } catch (error) {
    if (!isSignetError(error)) throw error;
    return { status: 'malformed', error: { message: error.message, fix: error.fix } };
  }
}

async function readServiceAccount(
  kube: KubeConfig,
  object: CoreObjectName,
  signal: AbortSignal,
): Promise<ServiceAccountAnswer> {
  const answer = await kubeGet(kube, object, signal);
  if (answer.status !== 'found') return { status: answer.status };
  const fields = ServiceAccountFields.catch({ imagePullSecrets: undefined }).parse(answer.object);
  return { status: 'found', pullSecrets: unique(names(fields.imagePullSecrets)) };
}

function names(list: readonly { name?: string | undefined }[] | null | undefined): string[] {
  return (list ?? []).flatMap((entry) => (entry.name ? [entry.name] : []));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function failureDetail(error: unknown): string {
  return error instanceof KubeReadFailure ? error.detail : String(error);
}

function deadlinePassed(signal: AbortSignal): WebhookError {
  return new WebhookError(
    'PULL_SECRETS_DEADLINE',
    "the review's time ran out while its pull secrets were read from the Kubernetes API",
    'check that the Kubernetes API server answers the webhook quickly; the reads go on and serve the next review',
    { cause: signal.reason },
  );
}

/** `promise`, or a PULL_SECRETS_DEADLINE rejection as soon as `signal` aborts (`promise` goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadlinePassed(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
