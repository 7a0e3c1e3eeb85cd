import type { IncomingMessage } from 'node:http';

/**
 * The bodies a real kube-apiserver answers with: `metav1.Status` failures, and RFC 6902 JSON patches
 * as it applies them. For the fake API server in `fake-kube-api.ts`.
 */
export type KubeObject = Record<string, unknown> & {
  metadata: Record<string, unknown> & { name?: string; namespace?: string; resourceVersion?: string };
};

export type JsonPatch = { op: string; path: string; value?: unknown };

/** RFC 6902 `test`, `add` and `replace` on a copy; a string explains why the patch does not apply. */
export function applyJsonPatch(target: KubeObject, operations: JsonPatch[]): KubeObject | string {
  const copy = structuredClone(target);
  for (const operation of operations) {
    const segments = operation.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop();
    let parent: unknown = copy;
    for (const segment of segments) parent = (parent as Record<string, unknown> | undefined)?.[segment];
    if (typeof parent !== 'object' || parent === null || last === undefined) {
      return `doc is missing path: "${operation.path}": missing value`;
    }
    const container = parent as Record<string, unknown>;
    if (operation.op === 'test') {
      if (JSON.stringify(container[last]) !== JSON.stringify(operation.value)) {
        return `testing value ${operation.path} failed: test failed`;
      }
    } else if (operation.op === 'add' || (operation.op === 'replace' && last in container)) {
      container[last] = operation.value;
    } else {
      return `unsupported or inapplicable operation ${operation.op} at ${operation.path}`;
    }
  }
  return copy;
}

export function creationProblem(object: KubeObject, namespace: string): string | undefined {
  if (object.metadata?.resourceVersion !== undefined)
    return 'resourceVersion should not be set on objects to be created';
  const own = object.metadata?.namespace;
  if (own !== undefined && own !== namespace) {
    return 'the namespace of the provided object does not match the namespace sent on the request';
  }
  return undefined;
}

export function status(code: number, reason: string, message: string, details?: Record<string, string>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function notFound(kind: string, name: string, group?: string) {
  const resource = group ? `${kind}.${group}` : kind;
  return status(404, 'NotFound', `${resource} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind,
  });
}

export function forbiddenStatus(method: string, path: string) {
  const segments = path.split('/');
  const namespace = segments[segments.indexOf('namespaces') + 1] ?? '';
  const resource = segments[segments.indexOf('namespaces') + 2] ?? 'secrets';
  const verb = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch' }[method] ?? method.toLowerCase();
  return status(
    403,
    'Forbidden',
    `${resource} is forbidden: User "system:serviceaccount:${namespace}:signet-webhook" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`,
    { kind: resource },
  );
}

export function alreadyExists(kind: string, name: string) {
  return status(409, 'AlreadyExists', `${kind} "${name}" already exists`, { name, kind });
}

export function conflict(kind: string, name: string) {
  const message = `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
  return status(409, 'Conflict', message, { name, kind });
}

export function unsupportedMediaType(req: IncomingMessage) {
  return status(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${req.headers['content-type']})`,
  );
}
