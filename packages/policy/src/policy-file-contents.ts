import { isNamespaceName, NAMESPACE_NAME_HELP, namespacesMeant } from './namespace-name.js';
import { isRecord } from './parse.js';
import { KRITIS_API_VERSION } from './schemas/fields.js';

/** What a policies folder holds: these kinds, alone or in a `v1 List` (what `kubectl get -o yaml` writes). */
export const FOLDER_POLICY_KINDS = [
  'AttestationAuthority',
  'GenericAttestationPolicy',
  'ImageSecurityPolicy',
];

/** One policy document of a file, not yet validated, placed in its namespace. */
interface PolicyFileEntry {
  /** `file.yaml`, `file.yaml#2`, `file.yaml#2 items[0]`. */
  where: string;
  namespace: string;
  document: unknown;
}

/**
 * A policies-folder file read document by document. When `problems` is not empty the file must not
 * be used at all (keeping part of it could admit what the whole would deny): it fails closed every
 * namespace in `concerns`, which holds each namespace it names or could name (`'any'`: no telling).
 */
export interface PolicyFileContents {
  entries: PolicyFileEntry[];
  problems: string[];
  concerns: Set<string> | 'any';
}

export interface PolicyFilePlace {
  /** The file's subfolder, whose name is the namespace of resources that name none. */
  folder?: string | undefined;
  /** The namespace of resources that name none: the folder's, else the source's default. */
  fallback: string;
}

/** Reads the parsed documents of one file. Pure; never throws. */
export function readPolicyFileContents(
  documents: ReadonlyArray<{ where: string; value: unknown }>,
  place: PolicyFilePlace,
): PolicyFileContents {
  const contents: PolicyFileContents = { entries: [], problems: [], concerns: new Set() };
  if (place.folder !== undefined) {
    if (!isNamespaceName(place.folder)) {
      contents.problems.push(`its folder ${JSON.stringify(place.folder)} is not ${NAMESPACE_NAME_HELP}`);
    }
    addConcerns(contents, namespacesMeant(place.folder));
  }
  for (const { where, value } of documents) {
    if (isRecord(value) && value.kind === 'List') readList(contents, where, value, place.fallback);
    else readItem(contents, where, value, place.fallback);
  }
  return contents;
}

/**
 * What a file that could not be parsed whole could concern: its folder, the fallback, the namespaces
 * of the documents that did parse, and every namespace its text writes (`namespace: X`, in block, flow
 * or JSON style). Any namespace when that cannot be told: a `namespace` whose value cannot be read
 * from its line, or a file at the top of the folder that names none.
 */
export function unparsedFileConcerns(
  text: string,
  parsed: PolicyFileContents,
  place: PolicyFilePlace,
): Set<string> | 'any' {
  const contents: PolicyFileContents = { entries: [], problems: [], concerns: parsed.concerns };
  contents.concerns = parsed.concerns === 'any' ? 'any' : new Set(parsed.concerns);
  const mentions = [...text.matchAll(NAMESPACE_MENTION)];
  if (place.folder === undefined && mentions.length === 0) return 'any';
  addConcerns(contents, namespacesMeant(place.fallback));
  for (const mention of mentions) {
    const written = mention[1] === undefined ? '' : unquote(mention[1]);
    addConcerns(contents, written === '' ? 'any' : namespacesMeant(written));
  }
  return contents.concerns;
}

/** Every `namespace` in a text, with the value written after it on the same line, if any. */
const NAMESPACE_MENTION = /namespace(?:["']?[ \t]*:[ \t]*("[^"\n]*"|'[^'\n]*'|[^,}\]\n#]*))?/gi;

function readList(
  contents: PolicyFileContents,
  where: string,
  list: Record<string, unknown>,
  fallback: string,
) {
  if (!Array.isArray(list.items)) {
    contents.problems.push(`${where}: a List whose items is not a list`);
    addConcerns(contents, namespacesMeant(fallback));
    return;
  }
  list.items.forEach((item, index) => {
    const itemWhere = `${where} items[${index}]`;
    if (isRecord(item) && item.kind === 'List') {
      contents.problems.push(`${itemWhere}: a List inside a List; give the policies themselves`);
      addConcerns(contents, namespacesMeant(fallback));
    } else readItem(contents, itemWhere, item, fallback);
  });
}

function readItem(contents: PolicyFileContents, where: string, value: unknown, fallback: string) {
  const metadata = isRecord(value) && isRecord(value.metadata) ? value.metadata : {};
  const written = metadata.namespace;
  let namespace = fallback;
  if (written === undefined || written === null || written === '') {
    addConcerns(contents, namespacesMeant(fallback));
  } else if (isNamespaceName(written)) {
    namespace = written;
    addConcerns(contents, [written]);
  } else {
    contents.problems.push(
      `${where}: metadata.namespace ${JSON.stringify(written)} is not ${NAMESPACE_NAME_HELP}`,
    );
    addConcerns(contents, namespacesMeant(written));
  }
  const kindProblem = notAPolicy(value);
  if (kindProblem) contents.problems.push(`${where}: ${kindProblem}`);
  contents.entries.push({ where, namespace, document: value });
}

function notAPolicy(value: unknown): string | undefined {
  if (!isRecord(value)) return 'is not a resource (a YAML mapping with apiVersion, kind, metadata and spec)';
  if (typeof value.kind === 'string' && FOLDER_POLICY_KINDS.includes(value.kind)) return undefined;
  const kind = typeof value.kind === 'string' && value.kind ? value.kind : '(no kind)';
  const apiVersion = typeof value.apiVersion === 'string' ? ` (${value.apiVersion})` : '';
  return `${kind}${apiVersion} is not a policy kind: a policies folder holds ${FOLDER_POLICY_KINDS.join(', ')} (${KRITIS_API_VERSION}) or a v1 List of them, and nothing else`;
}

function addConcerns(contents: PolicyFileContents, namespaces: string[] | 'any') {
  if (contents.concerns === 'any') return;
  if (namespaces === 'any') contents.concerns = 'any';
  else for (const namespace of namespaces) contents.concerns.add(namespace);
}

function unquote(value: string): string {
  const trimmed = value.trim();
  const quoted = /^(["'])(.*)\1$/.exec(trimmed);
  return quoted ? (quoted[2] ?? '') : trimmed;
}
