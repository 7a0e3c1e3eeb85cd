import { type ClusterSettings, parseClusterSettings, parseYamlDocuments } from '@signet/policy';
import { usageError } from '../common/cli-error.js';
import { readYamlText } from '../common/files.js';

/** `--settings FILE` (the webhook's cluster settings) and `--vulnz-project`, checked. */
export async function readSettings(
  file: string | undefined,
  vulnzProject: string | undefined,
): Promise<Partial<ClusterSettings>> {
  let raw: unknown = {};
  if (file) {
    const [first] = parseYamlDocuments(await readYamlText(file, '--settings'));
    raw = first?.status === 'other' ? first.object : {};
  }
  const parsed = parseClusterSettings(raw);
  if (!parsed.ok) {
    throw usageError('SETTINGS_INVALID', `--settings ${file}: ${parsed.error.message}`, parsed.error.fix);
  }
  return vulnzProject ? { ...parsed.value, vulnerabilityProject: vulnzProject } : parsed.value;
}
