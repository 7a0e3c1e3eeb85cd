import { errorMessage } from '@signet/errors';
import { parseAllDocuments } from 'yaml';
import { PolicyError } from './errors.js';
import { isRecord, type ParseResult, POLICY_KINDS, parsePolicyResource } from './parse.js';
import type { InvalidResource, NamespacePolicies, PolicyResource } from './resource-types.js';

/**
 * One document of a YAML stream, or one item of a `v1 List` document (what `kubectl get -o yaml`
 * writes), which is read item by item: `item` is then its index in `items`.
 */
export type DocumentResult =
  | { status: 'resource'; index: number; item?: number; resource: PolicyResource; notices: string[] }
  | { status: 'invalid'; index: number; item?: number; error: PolicyError; invalid: InvalidResource }
  /** Not a policy kind (a workload, RBAC, KritisConfig…): returned as plain data, with why it is not a policy. */
  | {
      status: 'other';
      index: number;
      item?: number;
      kind: string;
      object: Record<string, unknown>;
      note: string;
    };

/** `document 2` or `document 2, items[0]`: where a result came from, for messages. */
export function describeDocument(result: { index: number; item?: number }): string {
  return `document ${result.index + 1}${result.item === undefined ? '' : `, items[${result.item}]`}`;
}

const KRITIS_GROUP = 'kritis.grafeas.io/';

/**
 * Parses a (multi-document) YAML text. Parsing text is not I/O: the caller reads the file. Never
 * throws: a syntax error or a wrong resource becomes an `invalid` result naming the document.
 */
export function parseYamlDocuments(text: string): DocumentResult[] {
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(String(text), { uniqueKeys: true });
  } catch (cause) {
    return [syntaxError(0, errorMessage(cause))];
  }
  const results: DocumentResult[] = [];
  documents.forEach((document, index) => {
    if (document.errors.length > 0) {
      results.push(syntaxError(index, document.errors.map((e) => e.message).join('; ')));
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      // e.g. alias expansion beyond the limit ("billion laughs")
      results.push(syntaxError(index, errorMessage(cause)));
      return;
    }
    if (value === null || value === undefined) return; // empty document (e.g. a trailing `---`)
    if (isRecord(value) && value.kind === 'List') results.push(...listItems(value, index));
    else results.push(classify(value, index));
  });
  return results;
}

function classify(value: unknown, index: number): DocumentResult {
  if (!isRecord(value)) return toResult(parsePolicyResource(value), index);
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if ((POLICY_KINDS as readonly string[]).includes(kind)) return toResult(parsePolicyResource(value), index);
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  const note = apiVersion.startsWith(KRITIS_GROUP)
    ? `${kind || 'this kind'} is a Kritis kind that Signet does not enforce (Kritis did not either); ignored`
    : `${kind || 'this document'} is not a policy resource`;
  return { status: 'other', index, kind, object: value, note };
}

function listItems(list: Record<string, unknown>, index: number): DocumentResult[] {
  if (!Array.isArray(list.items)) {
    return [
      invalidDocument(index, 'items', 'is not a list', 'give a List its `items:` as a list of resources'),
    ];
  }
  return list.items.map((item, position): DocumentResult => {
    if (isRecord(item) && item.kind === 'List') {
      const where = `items[${position}]`;
      return {
        ...invalidDocument(index, where, 'is a List inside a List', 'list the resources themselves'),
        item: position,
      };
    }
    return { ...classify(item, index), item: position };
  });
}

function toResult(parsed: ParseResult<PolicyResource>, index: number): DocumentResult {
  return parsed.ok
    ? { status: 'resource', index, resource: parsed.value, notices: parsed.notices }
    : { status: 'invalid', index, error: parsed.error, invalid: parsed.invalid };
}

function syntaxError(index: number, message: string): DocumentResult {
  return invalidDocument(index, '(document)', `is not valid YAML: ${message}`, 'correct the YAML syntax');
}

function invalidDocument(index: number, field: string, message: string, fix: string): DocumentResult {
  const issue = { field, message, fix };
  const subject = field === '(document)' ? `document ${index + 1}` : `document ${index + 1}: ${field}`;
  return {
    status: 'invalid',
    index,
    invalid: { kind: '(unknown kind)', name: `document ${index + 1}`, issues: [issue] },
    error: new PolicyError('DOCUMENT_INVALID', `${subject} ${message}`, fix),
  };
}

type Collected =
  | { ok: true; value: PolicyResource }
  | { ok: false; invalid: InvalidResource }
  | DocumentResult;

/**
 * Gathers what applies in `namespace` (resources without a namespace count as being in it) from
 * parse results or YAML documents, ready for `decide`. VulnzSigningPolicies are not cluster
 * policies, and documents of other kinds are not policies: both are skipped.
 */
export function collectNamespacePolicies(
  results: ReadonlyArray<Collected>,
  namespace?: string,
): NamespacePolicies {
  const policies: NamespacePolicies = {
    authorities: [],
    genericAttestationPolicies: [],
    imageSecurityPolicies: [],
    invalid: [],
  };
  const inNamespace = (ns: string | undefined) =>
    namespace === undefined || ns === undefined || ns === namespace;
  for (const item of results) {
    const result = asParseResult(item);
    if (!result) continue;
    if (!result.ok) {
      if (inNamespace(result.invalid.namespace) && result.invalid.kind !== 'VulnzSigningPolicy') {
        policies.invalid.push(result.invalid);
      }
      continue;
    }
    const resource = result.value;
    if (!inNamespace(resource.metadata.namespace)) continue;
    if (resource.kind === 'AttestationAuthority') policies.authorities.push(resource);
    else if (resource.kind === 'GenericAttestationPolicy') policies.genericAttestationPolicies.push(resource);
    else if (resource.kind === 'ImageSecurityPolicy') policies.imageSecurityPolicies.push(resource);
  }
  return policies;
}

function asParseResult(
  item: Collected,
): { ok: true; value: PolicyResource } | { ok: false; invalid: InvalidResource } | undefined {
  if ('ok' in item) return item;
  if (item.status === 'resource') return { ok: true, value: item.resource };
  if (item.status === 'invalid') return { ok: false, invalid: item.invalid };
  return undefined;
}
