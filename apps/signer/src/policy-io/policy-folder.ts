import type { DocumentResult, InvalidResource, NamespacePolicies, PolicyResource } from '@signet/policy';
import { collectNamespacePolicies, parseYamlDocuments } from '@signet/policy';
import { usageError } from '../cli/cli-error.js';
import { listFolder, readYamlText } from '../cli/files.js';

export interface PolicyFolder {
  files: string[];
  results: ({ ok: true; value: PolicyResource } | { ok: false; invalid: InvalidResource })[];
  notices: string[];
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/** Every policy resource in the YAML files of a folder (recursively), as kubectl would apply them. */
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
  if (result.status === 'resource') {
    folder.results.push({ ok: true, value: result.resource });
    folder.notices.push(...result.notices.map((notice) => `${file}: ${notice}`));
  } else if (result.status === 'invalid') {
    folder.results.push({ ok: false, invalid: result.invalid });
    folder.notices.push(`${file}: ${result.error.message}`);
  } else {
    folder.notices.push(`${file}: document ${result.index + 1}: ${result.note}; ignored`);
  }
}

export function policiesFor(folder: PolicyFolder, namespace: string): NamespacePolicies {
  return collectNamespacePolicies(folder.results, namespace);
}
