import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type KubeObject, parseObjects } from './guide.js';

/**
 * A minimal stand-in for `kubectl kustomize` (kubectl is not part of these machines), covering
 * exactly the features deploy/ and the README's overlay use, and refusing any other field so that
 * nothing is silently skipped: `resources` (files, or directories holding a kustomization),
 * `components`, inline RFC 6902 `patches` with a kind/name target, `images` (newName/newTag) and
 * `namespace` with kustomize's default behaviour (metadata.namespace of namespaced kinds, the name
 * of Namespace objects, subjects named "default", webhook service references).
 * Order as kustomize: resources, then each component (its resources, then its patches), then the
 * kustomization's own patches, images, then the namespace. (In deploy/ the patches, images and the
 * namespace touch different fields, so their relative order does not change the result.)
 */
const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'components',
  'patches',
  'images',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

interface Patch {
  target: { kind: string; name: string };
  patch: string;
}

interface Kustomization {
  apiVersion: string;
  kind: 'Kustomization' | 'Component';
  namespace?: string;
  resources?: string[];
  components?: string[];
  patches?: Patch[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

export function renderKustomization(dir: string, extraComponents: string[] = []): KubeObject[] {
  const root = readKustomization(dir, 'Kustomization');
  let objects = loadResources(dir, root);
  for (const component of [...(root.components ?? []), ...extraComponents]) {
    const componentDir = join(dir, component);
    const spec = readKustomization(componentDir, 'Component');
    objects = objects.concat(loadResources(componentDir, spec));
    applyPatches(objects, spec.patches ?? []);
  }
  applyPatches(objects, root.patches ?? []);
  setImages(objects, root.images ?? []);
  if (root.namespace) setNamespace(objects, root.namespace);
  return objects;
}

function readKustomization(dir: string, kind: Kustomization['kind']): Kustomization {
  const spec = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(spec).filter((field) => !KUSTOMIZATION_FIELDS.has(field));
  if (unknown.length > 0)
    throw new Error(`${dir}/kustomization.yaml: this renderer does not implement ${unknown.join(', ')}`);
  if (spec.kind !== kind)
    throw new Error(`${dir}/kustomization.yaml: expected kind ${kind}, got ${spec.kind}`);
  return spec;
}

function loadResources(dir: string, spec: Kustomization): KubeObject[] {
  return (spec.resources ?? []).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory()
      ? renderKustomization(path)
      : parseObjects(readFileSync(path, 'utf8'));
  });
}

function setImages(objects: KubeObject[], images: NonNullable<Kustomization['images']>): void {
  for (const object of objects) {
    const podSpec = (object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template
      ?.spec;
    const containers = [
      ...((podSpec?.initContainers ?? []) as { image: string }[]),
      ...((podSpec?.containers ?? []) as { image: string }[]),
    ];
    for (const container of containers) {
      const [name, tag] = container.image.split(':');
      const rule = images.find((image) => image.name === name);
      if (rule) container.image = `${rule.newName ?? name}:${rule.newTag ?? tag}`;
    }
  }
}

function applyPatches(objects: KubeObject[], patches: Patch[]): void {
  for (const { target, patch } of patches) {
    const matches = objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (matches.length === 0) throw new Error(`patch target ${target.kind}/${target.name} matches nothing`);
    const operations = parse(patch) as JsonPatchOperation[];
    for (const object of matches) for (const operation of operations) applyOperation(object, operation);
  }
}

function setNamespace(objects: KubeObject[], namespace: string): void {
  for (const object of objects) {
    if (object.kind === 'Namespace') object.metadata.name = namespace;
    if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = namespace;
    if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') {
      for (const subject of (object.subjects ?? []) as { name: string; namespace?: string }[]) {
        if (subject.name === 'default') subject.namespace = namespace;
      }
    }
    if (object.kind === 'ValidatingWebhookConfiguration' || object.kind === 'MutatingWebhookConfiguration') {
      for (const webhook of (object.webhooks ?? []) as {
        clientConfig?: { service?: { namespace?: string } };
      }[]) {
        if (webhook.clientConfig?.service) webhook.clientConfig.service.namespace = namespace;
      }
    }
  }
}

interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

function applyOperation(object: KubeObject, operation: JsonPatchOperation): void {
  const segments = operation.path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = segments.pop();
  let parent: unknown = object;
  for (const segment of segments) {
    parent = (parent as Record<string, unknown> | undefined)?.[segment];
  }
  if (typeof parent !== 'object' || parent === null || last === undefined) {
    throw new Error(`patch path ${operation.path} does not exist in ${object.kind}/${object.metadata.name}`);
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (operation.op === 'add') parent.splice(index, 0, operation.value);
    else if (!(index < parent.length))
      throw new Error(`patch path ${operation.path} is past the end of the list`);
    else if (operation.op === 'replace') parent[index] = operation.value;
    else if (operation.op === 'remove') parent.splice(index, 1);
    return;
  }
  const record = parent as Record<string, unknown>;
  if (operation.op !== 'add' && !(last in record))
    throw new Error(`patch path ${operation.path} does not exist`);
  if (operation.op === 'remove') delete record[last];
  else if (operation.op === 'add' || operation.op === 'replace') record[last] = operation.value;
}
