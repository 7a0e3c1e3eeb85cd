import type { DocumentResult, InvalidResource, NamespacePolicies, PolicyResource } from '@signet/policy';
import {
  collectNamespacePolicies,
  describeDocument,
  FOLDER_POLICY_KINDS,
  parseYamlDocuments,
} from '@signet/policy';
import { usageError } from '../common/cli-error.js';
import { listFolder, readYamlText } from '../common/files.js';

export interface PolicyFolder {
  files: string[];
  results: ({ ok: true; value: PolicyResource } | { ok: false; invalid: InvalidResource })[];
  notices: string[];
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/**
 * Every policy resource in the YAML files of a folder (recursively), as kubectl would apply them; a
 * `v1 List` is read item by item. The folder holds policies only: a file with anything else in it, or
 * with a namespace that is not a namespace name, is refused (exit 2) rather than half used.
 */
export async function readPolicyFolder(dir: string): Promise<PolicyFolder> {
  const files = (await listFolder(dir, '--policies')).filter((file) => YAML_FILE.test(file));
  if (files.length === 0) {
    throw usageError(
      'POLICIES_EMPTY',
      `--policies ${dir} holds no .yaml, .yml or .json file`,
      'point --policies at the folder of your AttestationAuthority / GenericAttestationPolicy / ImageSecurityPolicy files',
    );
  }
  const folder: PolicyFolder = { files, results: [], notices: [] };
  for (const file of files) {
    for (const result of parseYamlDocuments(await readYamlText(file, '--policies file')))
      add(folder, file, result);
  }
  return folder;
}

function add(folder: PolicyFolder, file: string, result: DocumentResult): void {
  refuseIfNotAPolicy(file, result);
  if (result.status === 'resource') {
    folder.results.push({ ok: true, value: result.resource });
    folder.notices.push(...result.notices.map((notice) => `${file}: ${notice}`));
  } else if (result.status === 'invalid') {
    folder.results.push({ ok: false, invalid: result.invalid });
    folder.notices.push(`${file}: ${result.error.message}`);
  }
}

function refuseIfNotAPolicy(file: string, result: DocumentResult): void {
  const where = `--policies file ${file}: ${describeDocument(result)}`;
  const fix = `keep only ${FOLDER_POLICY_KINDS.join(', ')} resources (kritis.grafeas.io/v1beta1), or a v1 List of them, in the policies folder`;
  if (
    result.status === 'other' ||
    (result.status === 'resource' && !FOLDER_POLICY_KINDS.includes(result.resource.kind))
  ) {
    const kind = result.status === 'other' ? result.kind || '(no kind)' : result.resource.kind;
    throw usageError('POLICY_FILE_NOT_A_POLICY', `${where} is a ${kind}, not a policy`, fix);
  }
  const namespace =
    result.status === 'invalid'
      ? result.invalid.issues.find((i) => i.field === 'metadata.namespace')
      : undefined;
  if (namespace) {
    // Placed nowhere, it would leave the namespace it was meant for without its policies.
    throw usageError(
      'POLICY_FILE_NAMESPACE',
      `${where}: metadata.namespace ${namespace.message}`,
      namespace.fix,
    );
  }
}

export function policiesFor(folder: PolicyFolder, namespace: string): NamespacePolicies {
  return collectNamespacePolicies(folder.results, namespace);
}
