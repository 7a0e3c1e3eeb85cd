import type { JsonPatchOperation } from '../admission/decision.js';

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;

/** A pod spec with the given containers' images (and optional init and ephemeral containers, image volumes). */
export function podSpec(images: {
  containers?: string[];
  initContainers?: string[];
  ephemeralContainers?: string[];
  volumes?: string[];
}): Record<string, unknown> {
  const list = (names: string[] | undefined, prefix: string) =>
    names?.map((image, i) => ({ name: `${prefix}${i}`, image }));
  return {
    containers: list(images.containers ?? [], 'c'),
    ...(images.initContainers ? { initContainers: list(images.initContainers, 'init') } : {}),
    ...(images.ephemeralContainers ? { ephemeralContainers: list(images.ephemeralContainers, 'debug') } : {}),
    ...(images.volumes
      ? { volumes: images.volumes.map((reference, i) => ({ name: `v${i}`, image: { reference } })) }
      : {}),
  };
}

/** Where each kind keeps its pod spec, as the API server sends it. */
export function objectOf(kind: string, spec: Record<string, unknown>): Record<string, unknown> {
  const metadata = { name: 'web', namespace: 'team' };
  switch (kind) {
    case 'Pod':
      return { kind, apiVersion: 'v1', metadata, spec };
    case 'CronJob':
      return {
        kind,
        apiVersion: 'batch/v1',
        metadata,
        spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec } } } },
      };
    case 'PodTemplate':
      return { kind, apiVersion: 'v1', metadata, template: { spec } };
    default:
      return { kind, apiVersion: 'apps/v1', metadata, spec: { template: { spec } } };
  }
}

/** An AdmissionReview as the API server sends it to a mutating webhook. */
export function mutateReview(options: {
  kind: string;
  object: unknown;
  oldObject?: unknown;
  operation?: string;
  subResource?: string;
  apiVersion?: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';
  namespace?: string;
}): Record<string, unknown> {
  const group = options.kind === 'Pod' || options.kind === 'PodTemplate' ? '' : 'apps';
  const resource = `${options.kind.toLowerCase()}s`;
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'b6f0c1a2-0000-4000-8000-000000000001',
      kind: { group, version: 'v1', kind: options.kind },
      resource: { group, version: 'v1', resource },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      name: 'web',
      namespace: options.namespace ?? 'team',
      operation: options.operation ?? 'CREATE',
      userInfo: { username: 'alice' },
      object: options.object,
      oldObject: options.oldObject ?? null,
      dryRun: false,
    },
  };
}

/**
 * Applies an RFC 6902 patch of `test` and `replace` operations to a copy of `object`, as the API
 * server does: a failed `test` throws.
 */
export function applyPatch<T>(object: T, patch: readonly JsonPatchOperation[]): T {
  const copy = structuredClone(object) as unknown;
  for (const operation of patch) {
    const tokens = operation.path
      .split('/')
      .slice(1)
      .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop() as string;
    let parent = copy as Record<string, unknown>;
    for (const token of tokens) parent = parent[token] as Record<string, unknown>;
    if (parent === undefined || !(last in parent)) throw new Error(`${operation.path} does not exist`);
    if (operation.op === 'test' && parent[last] !== operation.value) {
      throw new Error(`test failed at ${operation.path}: ${String(parent[last])} != ${operation.value}`);
    }
    if (operation.op === 'replace') parent[last] = operation.value;
  }
  return copy as T;
}
