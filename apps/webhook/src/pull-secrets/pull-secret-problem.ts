import type { CoreObjectName } from './kube-get.js';

/** Why a named object was not used: the four ways the kubelet goes on without a pull secret. */
type PullSecretProblemReason = 'not-found' | 'forbidden' | 'malformed' | 'unreadable';

/**
 * A pull secret (or the ServiceAccount naming more of them) that was named but not used. The review's
 * tags were resolved without it; when the registry then refuses (401/403), the denial adds `message`
 * and `fix`, so the reader of the denial learns why the login it expected was not sent.
 */
export interface PullSecretProblem {
  /** The Secret, or the ServiceAccount when it could not be read (its pull secrets are then unknown). */
  object: CoreObjectName;
  /** Who named it: the pod spec (its `imagePullSecrets`, its service account), or the ServiceAccount. */
  namedBy: 'pod' | 'service-account';
  reason: PullSecretProblemReason;
  /** One sentence: `pull secret team/regcred was not found`. */
  message: string;
  fix: string;
}

/** The name an object goes by in a problem's message. */
export function describeObject(object: CoreObjectName, serviceAccount: string | undefined): string {
  const name = `${object.namespace}/${object.name}`;
  if (object.kind === 'ServiceAccount') return `ServiceAccount ${name}`;
  return serviceAccount === undefined
    ? `pull secret ${name}`
    : `pull secret ${name} (of ServiceAccount ${object.namespace}/${serviceAccount})`;
}

const RBAC_FIX =
  "apply deploy/pull-secrets: it lets the webhook's service account get Secrets and ServiceAccounts, so that it resolves tags with the Pod's pull secrets";

export function notFound(object: CoreObjectName, label: string, namedBy: PullSecretProblem['namedBy']) {
  const fix =
    object.kind === 'Secret'
      ? `create it in namespace ${object.namespace} (kubectl create secret docker-registry ${object.name} -n ${object.namespace} …), or correct the name that refers to it`
      : `create the ServiceAccount, or correct the Pod's serviceAccountName`;
  return problem(object, namedBy, 'not-found', `${label} was not found`, fix);
}

export function forbidden(object: CoreObjectName, label: string, namedBy: PullSecretProblem['namedBy']) {
  return problem(
    object,
    namedBy,
    'forbidden',
    `${label} could not be read (RBAC: apply deploy/pull-secrets)`,
    RBAC_FIX,
  );
}

export function unreadable(
  object: CoreObjectName,
  label: string,
  namedBy: PullSecretProblem['namedBy'],
  detail: string,
) {
  return problem(
    object,
    namedBy,
    'unreadable',
    `${label} could not be read from the Kubernetes API (${detail})`,
    'check that the Kubernetes API server answers the webhook; it is read again at the next review',
  );
}

export function malformed(
  object: CoreObjectName,
  namedBy: PullSecretProblem['namedBy'],
  error: { message: string; fix: string },
) {
  return problem(object, namedBy, 'malformed', error.message, error.fix);
}

function problem(
  object: CoreObjectName,
  namedBy: PullSecretProblem['namedBy'],
  reason: PullSecretProblemReason,
  message: string,
  fix: string,
): PullSecretProblem {
  return { object, namedBy, reason, message, fix };
}
