/** A Kubernetes namespace name is a DNS-1123 label: anything else can never match a review. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL_CHARS = 63;

export const NAMESPACE_NAME_HELP =
  "a Kubernetes namespace name (a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)";

export function isNamespaceName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_LABEL_CHARS && DNS_1123_LABEL.test(value);
}

/**
 * The namespaces a written namespace could mean: itself when it is a name; else its trimmed,
 * lower-case form (`Prod`, `"prod2 "`, a number such as `2024`) when that is one; else `'any'`,
 * because no rule can tell which namespace `team_a.prod` was meant to be. Whoever fails closed on a
 * misspelt namespace closes all of these, so a typo can never leave the intended namespace open.
 */
export function namespacesMeant(written: unknown): string[] | 'any' {
  if (isNamespaceName(written)) return [written];
  if (typeof written !== 'string' && typeof written !== 'number') return 'any';
  const normalised = String(written).trim().toLowerCase();
  return isNamespaceName(normalised) ? [normalised] : 'any';
}
