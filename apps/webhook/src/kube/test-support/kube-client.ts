import { type HttpResult, httpsRequest } from '../../test-support/https-client.js';

/** Plain REST calls to the API server as the test's admin (static token, CA-checked TLS). */
export class KubeClient {
  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly caPem: string,
  ) {}

  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<HttpResult> {
    return httpsRequest(`${this.url}${path}`, {
      method,
      ca: this.caPem,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'application/json',
        'content-type': contentType,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  get(path: string): Promise<HttpResult> {
    return this.request('GET', path);
  }

  /** POST, as `kubectl create` does: unknown fields are refused, not silently dropped. */
  create(path: string, object: unknown): Promise<HttpResult> {
    return this.request('POST', `${path}${path.includes('?') ? '&' : '?'}fieldValidation=Strict`, object);
  }

  /** A JSON Patch (RFC 6902), as `kubectl patch --type=json` sends it. */
  patch(path: string, operations: unknown[]): Promise<HttpResult> {
    return this.request('PATCH', path, operations, 'application/json-patch+json');
  }

  /** Creates, and fails with the API server's answer unless it says 201 Created. */
  async mustCreate(path: string, object: unknown): Promise<Record<string, unknown>> {
    const result = await this.create(path, object);
    if (result.status !== 201) throw new Error(`POST ${path}: ${result.status} ${result.text}`);
    return result.json as Record<string, unknown>;
  }
}

/** The REST collection path of a namespaced or cluster-wide object. */
export function collectionPath(object: {
  apiVersion: string;
  kind: string;
  metadata: { namespace?: string };
}): string {
  const plural = PLURALS[object.kind];
  if (!plural) throw new Error(`no REST path known for kind ${object.kind}`);
  const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const namespace = object.metadata.namespace;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

const PLURALS: Record<string, string> = {
  Pod: 'pods',
  Deployment: 'deployments',
  Namespace: 'namespaces',
  Secret: 'secrets',
  ServiceAccount: 'serviceaccounts',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  CustomResourceDefinition: 'customresourcedefinitions',
  ValidatingWebhookConfiguration: 'validatingwebhookconfigurations',
  MutatingWebhookConfiguration: 'mutatingwebhookconfigurations',
  AttestationAuthority: 'attestationauthorities',
  GenericAttestationPolicy: 'genericattestationpolicies',
  ImageSecurityPolicy: 'imagesecuritypolicies',
};
