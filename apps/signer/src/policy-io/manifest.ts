import { parseYamlDocuments } from '@signet/policy';
import { usageError } from '../common/cli-error.js';
import { readYamlText } from '../common/files.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  object: Record<string, unknown>;
}

/** The Kubernetes objects of a (multi-document) manifest; a YAML error is the user's to fix. */
export async function readManifest(path: string): Promise<ManifestObject[]> {
  const objects: ManifestObject[] = [];
  for (const result of parseYamlDocuments(await readYamlText(path, '--file'))) {
    if (result.status === 'invalid') {
      throw usageError('MANIFEST_INVALID', `--file ${path}: ${result.error.message}`, result.error.fix);
    }
    // Policy resources in a manifest are not workloads: nothing to admit.
    if (result.status === 'other') objects.push(describeObject(result.object, path, result.index));
  }
  return objects;
}

function describeObject(object: Record<string, unknown>, path: string, index: number): ManifestObject {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !kind) {
    throw usageError(
      'MANIFEST_INVALID',
      `--file ${path}: document ${index + 1} is not a Kubernetes object (no apiVersion/kind)`,
      'give a manifest such as kubectl apply -f takes',
    );
  }
  const name = typeof metadata.name === 'string' ? metadata.name : `(document ${index + 1})`;
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined;
  return { apiVersion, kind, name, namespace, object };
}

/** The AdmissionReview request the API server would send for creating the object. */
export function admissionRequest(
  item: ManifestObject,
  namespace: string,
  index: number,
): Record<string, unknown> {
  const [group, version] = item.apiVersion.includes('/')
    ? item.apiVersion.split('/', 2)
    : ['', item.apiVersion];
  return {
    uid: `signet-evaluate-${index}`,
    kind: { group, version, kind: item.kind },
    resource: { group, version, resource: `${item.kind.toLowerCase()}s` },
    name: item.name,
    namespace,
    operation: 'CREATE',
    userInfo: { username: 'signet-evaluate' },
    object: { ...item.object, metadata: { ...(item.object.metadata as object | undefined), namespace } },
    dryRun: true,
  };
}
