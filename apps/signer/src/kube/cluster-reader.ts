import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { errorMessage } from '@signet/errors';
import {
  controllerOf,
  type InvalidResource,
  type PolicyResource,
  parsePolicyResource,
  type WorkloadOwner,
} from '@signet/policy';
import { backendError, usageError } from '../common/cli-error.js';

const KRITIS_GROUP = 'kritis.grafeas.io';
const KRITIS_VERSION = 'v1beta1';
const KRITIS_PLURALS = {
  AttestationAuthority: 'attestationauthorities',
  GenericAttestationPolicy: 'genericattestationpolicies',
  ImageSecurityPolicy: 'imagesecuritypolicies',
} as const;

export type PolicyEntry = { ok: true; value: PolicyResource } | { ok: false; invalid: InvalidResource };

/** What `signet audit` reads from a cluster, once: the Kritis resources, the Pods, and their owners. */
export class ClusterReader {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly parents = new Map<string, Promise<WorkloadOwner | undefined>>();
  /** Said once to the user (e.g. the CRDs are not installed). */
  readonly notices: string[] = [];

  constructor(kubeconfig: string | undefined) {
    const config = new KubeConfig();
    try {
      if (kubeconfig) config.loadFromFile(kubeconfig);
      else config.loadFromDefault();
    } catch (error) {
      throw usageError(
        'KUBECONFIG_INVALID',
        `cannot read the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''}: ${errorMessage(error)}`,
        'give --kubeconfig a kubeconfig file (as kubectl uses), or set KUBECONFIG',
      );
    }
    if (!config.getCurrentCluster()) {
      throw usageError(
        'KUBECONFIG_INVALID',
        `the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''} names no current cluster`,
        'give --kubeconfig a kubeconfig with a current-context (kubectl config use-context NAME)',
      );
    }
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.batch = config.makeApiClient(BatchV1Api);
    this.custom = config.makeApiClient(CustomObjectsApi);
  }

  /** Every policy resource (of one namespace, or all), parsed as the webhook parses them. */
  async policies(namespace: string | undefined): Promise<PolicyEntry[]> {
    const entries: PolicyEntry[] = [];
    for (const [kind, plural] of Object.entries(KRITIS_PLURALS)) {
      const request = { group: KRITIS_GROUP, version: KRITIS_VERSION, plural };
      let list: { items?: unknown[] };
      try {
        list = (await (namespace
          ? this.custom.listNamespacedCustomObject({ ...request, namespace })
          : this.custom.listClusterCustomObject(request))) as { items?: unknown[] };
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) {
          this.notices.push(`${kind}: the kritis.grafeas.io CRDs are not installed; no ${kind} in force`);
          continue;
        }
        throw apiFailure(`list ${plural}`, error);
      }
      for (const item of list.items ?? []) {
        const parsed = parsePolicyResource({
          apiVersion: `${KRITIS_GROUP}/${KRITIS_VERSION}`,
          kind,
          ...(item as object),
        });
        entries.push(parsed.ok ? { ok: true, value: parsed.value } : { ok: false, invalid: parsed.invalid });
      }
    }
    return entries;
  }

  async pods(namespace: string | undefined): Promise<V1Pod[]> {
    try {
      const list = namespace
        ? await this.core.listNamespacedPod({ namespace })
        : await this.core.listPodForAllNamespaces();
      return list.items;
    } catch (error) {
      throw apiFailure('list pods', error);
    }
  }

  /** Namespaces labelled kritis-validation=disabled: admission skips them, so the audit does. */
  async optedOutNamespaces(): Promise<string[]> {
    try {
      const list = await this.core.listNamespace({ labelSelector: 'kritis-validation=disabled' });
      return list.items.flatMap((namespace) => (namespace.metadata?.name ? [namespace.metadata.name] : []));
    } catch (error) {
      this.notices.push(
        `cannot list namespaces (${errorMessage(error)}): namespaces labelled kritis-validation=disabled are audited too`,
      );
      return [];
    }
  }

  /** The owner of a ReplicaSet or a Job (Deployment, CronJob), read once per object; undefined if none. */
  parentOf(namespace: string, owner: WorkloadOwner): Promise<WorkloadOwner | undefined> {
    const key = `${namespace}/${owner.kind}/${owner.name}`;
    let pending = this.parents.get(key);
    if (!pending) {
      pending = this.readParent(namespace, owner);
      this.parents.set(key, pending);
    }
    return pending;
  }

  private async readParent(namespace: string, owner: WorkloadOwner): Promise<WorkloadOwner | undefined> {
    try {
      const object =
        owner.kind === 'ReplicaSet'
          ? await this.apps.readNamespacedReplicaSet({ namespace, name: owner.name })
          : owner.kind === 'Job'
            ? await this.batch.readNamespacedJob({ namespace, name: owner.name })
            : undefined;
      return object ? controllerOf(object) : undefined;
    } catch {
      // Display only: without read access (or once it is gone) the Pod's own controller is shown.
      return undefined;
    }
  }
}

function apiFailure(action: string, error: unknown) {
  const code = error instanceof ApiException ? error.code : undefined;
  const fix =
    code === 403
      ? 'your user needs list on pods and on the kritis.grafeas.io resources (kubectl auth can-i list pods -A)'
      : code === 401
        ? 'the API server did not accept the credentials of the kubeconfig: log in again'
        : 'check that the cluster in the kubeconfig is reachable (kubectl get pods)';
  const detail = code ? `HTTP ${code}` : errorMessage(error);
  return backendError('KUBE_API_FAILED', `could not ${action} through the Kubernetes API: ${detail}`, fix);
}
