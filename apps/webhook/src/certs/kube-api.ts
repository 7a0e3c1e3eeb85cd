import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { CertificateError } from './errors.js';

export interface SecretRecord {
  data: Record<string, string> | undefined;
  resourceVersion: string | undefined;
  /** A Secret's type cannot change, so a replacement keeps the one it has. */
  type: string | undefined;
}

export interface WebhookCaBundle {
  name: string;
  caBundle: string | undefined;
}

/** A webhook configuration `--manage-certs` keeps the `caBundle` of: the validation hook's or the resolve hook's. */
export interface WebhookConfigRef {
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  name: string;
}

/** One RFC 6902 operation, as sent in an `application/json-patch+json` body. */
export type JsonPatchOperation = { op: 'test' | 'add'; path: string; value: unknown };

/** The few Kubernetes API calls `--manage-certs` makes, with their expected failures turned into values. */
export class KubeCertificateApi {
  private readonly core: CoreV1Api;
  private readonly admission: AdmissionregistrationV1Api;

  constructor(
    kube: KubeConfig,
    private readonly signal?: AbortSignal,
  ) {
    this.core = kube.makeApiClient(CoreV1Api);
    this.admission = kube.makeApiClient(AdmissionregistrationV1Api);
  }

  /** The Secret, or undefined when it does not exist (404). */
  async readSecret(namespace: string, name: string): Promise<SecretRecord | undefined> {
    this.signal?.throwIfAborted();
    try {
      const secret = await this.core.readNamespacedSecret({ namespace, name });
      return { data: secret.data, resourceVersion: secret.metadata?.resourceVersion, type: secret.type };
    } catch (error) {
      if (statusOf(error)?.code === 404) return undefined;
      throw apiFailure(`read Secret ${namespace}/${name}`, error);
    }
  }

  /** Creates the Secret; `exists` when another writer created it first (409 AlreadyExists). */
  async createSecret(
    namespace: string,
    name: string,
    data: Record<string, string>,
  ): Promise<'created' | 'exists'> {
    this.signal?.throwIfAborted();
    try {
      await this.core.createNamespacedSecret({ namespace, body: secretBody(namespace, name, data) });
      return 'created';
    } catch (error) {
      if (statusOf(error)?.reason === 'AlreadyExists') return 'exists';
      throw apiFailure(`create Secret ${namespace}/${name}`, error);
    }
  }

  /** Replaces the Secret if it is still at `current`'s resourceVersion; `conflict` when another writer got there first. */
  async replaceSecret(
    namespace: string,
    name: string,
    data: Record<string, string>,
    current: SecretRecord,
  ): Promise<'replaced' | 'conflict'> {
    this.signal?.throwIfAborted();
    const body = secretBody(namespace, name, data, current.type);
    if (current.resourceVersion) body.metadata.resourceVersion = current.resourceVersion;
    try {
      await this.core.replaceNamespacedSecret({ namespace, name, body });
      return 'replaced';
    } catch (error) {
      const status = statusOf(error);
      if (status?.reason === 'Conflict' || status?.code === 404) return 'conflict';
      throw apiFailure(`replace Secret ${namespace}/${name}`, error);
    }
  }

  /** The webhooks of the configuration, or undefined when it does not exist (404). */
  async readWebhookCaBundles(config: WebhookConfigRef): Promise<WebhookCaBundle[] | undefined> {
    this.signal?.throwIfAborted();
    try {
      const { name } = config;
      const found =
        config.kind === 'ValidatingWebhookConfiguration'
          ? await this.admission.readValidatingWebhookConfiguration({ name })
          : await this.admission.readMutatingWebhookConfiguration({ name });
      return (found.webhooks ?? []).map((webhook) => ({
        name: webhook.name,
        caBundle: webhook.clientConfig.caBundle,
      }));
    } catch (error) {
      if (statusOf(error)?.code === 404) return undefined;
      throw apiFailure(`read ${config.kind} ${config.name}`, error);
    }
  }

  /** Applies a JSON patch; `absent` when the configuration was deleted meanwhile (404). */
  async patchWebhookConfiguration(
    config: WebhookConfigRef,
    operations: JsonPatchOperation[],
  ): Promise<'patched' | 'absent'> {
    this.signal?.throwIfAborted();
    const request = { name: config.name, body: operations };
    const asJsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    try {
      if (config.kind === 'ValidatingWebhookConfiguration') {
        await this.admission.patchValidatingWebhookConfiguration(request, asJsonPatch);
      } else {
        await this.admission.patchMutatingWebhookConfiguration(request, asJsonPatch);
      }
      return 'patched';
    } catch (error) {
      if (statusOf(error)?.code === 404) return 'absent';
      throw apiFailure(`patch ${config.kind} ${config.name}`, error);
    }
  }
}

function secretBody(
  namespace: string,
  name: string,
  data: Record<string, string>,
  type = 'kubernetes.io/tls',
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type,
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'signet-webhook' },
    } as { name: string; namespace: string; labels: Record<string, string>; resourceVersion?: string },
    data,
  };
}

/** The `metav1.Status` the API server sends with every failure (its body), as far as it can be read. */
const statusSchema = z.object({
  code: z.number().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

interface FailureStatus {
  code: number;
  reason: string | undefined;
  message: string | undefined;
}

function statusOf(error: unknown): FailureStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  let parsed: z.infer<typeof statusSchema> = {};
  try {
    parsed = statusSchema.catch({}).parse(typeof body === 'string' ? JSON.parse(body) : body);
  } catch {
    // A body that is not JSON (a proxy's HTML page) still leaves the HTTP code to go on.
  }
  return { code: error.code, reason: parsed.reason, message: parsed.message };
}

function apiFailure(action: string, error: unknown): CertificateError {
  const status = statusOf(error);
  const detail = status
    ? `HTTP ${status.code}${status.reason ? ` ${status.reason}` : ''}${status.message ? `: ${status.message}` : ''}`
    : (error as Error)?.message;
  return new CertificateError('CERTS_KUBE_API_FAILED', `could not ${action}: ${detail}`, fixFor(status), {
    cause: error,
  });
}

function fixFor(status: FailureStatus | undefined): string {
  if (status?.code === 403) {
    return 'give the webhook’s service account the RBAC of deploy/manage-certs (its Role: Secret get/create/update in its namespace; its ClusterRole: get/patch on its ValidatingWebhookConfiguration and its MutatingWebhookConfiguration)';
  }
  if (status?.code === 401) {
    return 'the API server did not accept the credentials: run in a pod with its service account token mounted, or check the user of the --kubeconfig file';
  }
  return 'check that the Kubernetes API server is reachable from the webhook pod and retry';
}
