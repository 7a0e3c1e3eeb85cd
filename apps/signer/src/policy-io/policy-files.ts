import type {
  AttestationAuthority,
  DocumentResult,
  PolicyResource,
  VulnzSigningPolicy,
} from '@signet/policy';
import { describeDocument, parseYamlDocuments } from '@signet/policy';
import { usageError } from '../common/cli-error.js';
import { readYamlText } from '../common/files.js';

/**
 * Reads a YAML file of policy resources (a `v1 List` item by item); an invalid one, or a file holding
 * anything but policies, is refused with its field, reason and fix.
 */
async function readPolicyFile(path: string, flag: string): Promise<DocumentResult[]> {
  const results = parseYamlDocuments(await readYamlText(path, flag));
  const other = results.find((result) => result.status === 'other');
  if (other?.status === 'other') {
    throw usageError(
      'POLICY_FILE_NOT_A_POLICY',
      `${flag} ${path}: ${describeDocument(other)} is a ${other.kind || '(no kind)'}, not a policy (${other.note})`,
      'give a file holding policy resources only (apiVersion kritis.grafeas.io/v1beta1)',
    );
  }
  const invalid = results.find((result) => result.status === 'invalid');
  if (invalid?.status === 'invalid') {
    const issues = invalid.invalid.issues.map((issue) => `${issue.field} ${issue.message}`).join('; ');
    throw usageError(
      'POLICY_FILE_INVALID',
      `${flag} ${path}: ${invalid.invalid.kind} ${invalid.invalid.name} is invalid: ${issues}`,
      invalid.invalid.issues[0]?.fix ?? invalid.error.fix,
    );
  }
  return results;
}

function resourcesOf(results: DocumentResult[]): PolicyResource[] {
  return results.flatMap((result) => (result.status === 'resource' ? [result.resource] : []));
}

/** The one resource of `kind` a file must hold. */
async function readSingle<K extends PolicyResource['kind']>(
  path: string,
  flag: string,
  kind: K,
): Promise<Extract<PolicyResource, { kind: K }>> {
  const found = resourcesOf(await readPolicyFile(path, flag)).filter(
    (resource): resource is Extract<PolicyResource, { kind: K }> => resource.kind === kind,
  );
  const [first] = found;
  if (!first || found.length > 1) {
    throw usageError(
      'POLICY_FILE_KIND',
      `${flag} ${path} holds ${found.length} ${kind} resources, not one`,
      `give a file with exactly one \`kind: ${kind}\` (apiVersion kritis.grafeas.io/v1beta1)`,
    );
  }
  return first;
}

export function readVulnzSigningPolicy(path: string, flag = '--policy'): Promise<VulnzSigningPolicy> {
  return readSingle(path, flag, 'VulnzSigningPolicy');
}

export function readAttestationAuthority(path: string, flag = '--authority'): Promise<AttestationAuthority> {
  return readSingle(path, flag, 'AttestationAuthority');
}
