import type { z } from 'zod';
import type { PolicyIssue } from './resource-types.js';
import { FIELD_HELP, type HelpedField } from './schemas/fields.js';

/** Every field name the resources know, to suggest the right spelling of a typo. */
const KNOWN_FIELDS = [
  'noteReference',
  'cosign',
  'repository',
  'attestations',
  'predicateType',
  'publicKeyData',
  'publicKeys',
  'keyType',
  'keyId',
  'asciiArmoredPgpPublicKey',
  'pkixPublicKey',
  'publicKeyPem',
  'signatureAlgorithm',
  'attestationAuthorityNames',
  'admissionAllowlistPatterns',
  'namePattern',
  'imageAllowlist',
  'packageVulnerabilityRequirements',
  'maximumSeverity',
  'maximumFixUnavailableSeverity',
  'allowlistCVEs',
  'enforcementMode',
  'imageVulnerabilityRequirements',
  'maximumFixableSeverity',
  'maximumUnfixableSeverity',
  'noPolicy',
  'breakglass',
  'onBackendError',
  'vulnerabilityProject',
];

/** Names from Kritis's docs and older releases that Kritis itself silently ignored. */
const RENAMED_FIELDS: Readonly<Record<string, string>> = {
  packageVulnerabilityPolicy: 'packageVulnerabilityRequirements',
  imageWhitelist: 'imageAllowlist',
  admissionWhitelistPatterns: 'admissionAllowlistPatterns',
  whitelistCVEs: 'allowlistCVEs',
};

/** `['spec', 'publicKeys', 0, 'keyType']` -> `spec.publicKeys[0].keyType`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(document)';
}

/** How a list of issues reads in one message: `field message; …` and `field: fix; …`. */
export function summarizeIssues(issues: readonly PolicyIssue[]): { details: string; fixes: string } {
  return {
    details: issues.map((issue) => `${issue.field} ${issue.message}`).join('; '),
    fixes: issues.map((issue) => `${issue.field}: ${issue.fix}`).join('; '),
  };
}

export function toPolicyIssues(issues: readonly z.core.$ZodIssue[]): PolicyIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownField(fieldPath([...issue.path, key]), key));
    }
    const field = fieldPath(issue.path);
    return [{ field, message: describeIssue(issue), fix: fixFor(issue, field) }];
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required but missing';
  if (issue.code === 'invalid_type') return `must be ${article(issue.expected)}`;
  if (issue.code === 'invalid_value') return `must be ${oneOf(issue.values)}`;
  if (issue.code === 'too_small' && issue.origin === 'array')
    return `must list at least ${issue.minimum} item(s)`;
  return issue.message;
}

function fixFor(issue: z.core.$ZodIssue, field: string): string {
  // A refinement states its own fix (`params.fix`).
  if (issue.code === 'custom' && typeof issue.params?.fix === 'string') return issue.params.fix;
  const help = helpFor(field);
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return help ? `add ${field}: ${help}` : `add ${field}`;
  }
  if (issue.code === 'invalid_value') {
    const got = typeof issue.input === 'string' ? closest(issue.input, issue.values.map(String)) : undefined;
    return got ? `did you mean ${got}? Values are case-sensitive` : `set it to ${oneOf(issue.values)}`;
  }
  return help ? `set ${field} to ${help}` : `correct ${field}`;
}

function unknownField(field: string, key: string): PolicyIssue {
  const suggestion =
    (Object.hasOwn(RENAMED_FIELDS, key) ? RENAMED_FIELDS[key] : undefined) ?? closest(key, KNOWN_FIELDS);
  return {
    field,
    message: `is not a field of this resource`,
    fix: suggestion
      ? `did you mean ${suggestion}? Field names are case-sensitive`
      : 'remove it (see deploy/crds.yaml for the fields each kind accepts)',
  };
}

function helpFor(field: string): string | undefined {
  const parts = field.replace(/\[\d+\]/g, '').split('.');
  const lastTwo = parts.slice(-2).join('.');
  if (lastTwo in FIELD_HELP) return FIELD_HELP[lastTwo as HelpedField];
  const last = parts.pop() ?? '';
  if (last in FIELD_HELP) return FIELD_HELP[last as HelpedField];
  if (/Severity$/.test(last)) return FIELD_HELP.severity;
  return undefined;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function oneOf(values: readonly unknown[]): string {
  const list = values.map((v) => String(v));
  return list.length === 1 ? String(list[0]) : `one of ${list.join(', ')}`;
}

/** The candidate within edit distance 2 (or equal ignoring case), if any. */
function closest(input: string, candidates: readonly string[]): string | undefined {
  if (input.length > 64) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = name.toLowerCase() === input.toLowerCase() ? 0 : editDistance(input, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
