/**
 * Matching a live answer against a recorded one whose server-made values are placeholders:
 * `{{uuid:N}}` binds on first sight and must agree afterwards; `{{time}}` is any RFC 3339 UTC time;
 * `{{sig}}` is any signature.
 */
export type Bindings = Map<string, string>;

const PLACEHOLDER = /\{\{(uuid:\d+|time|sig|kmsHost)\}\}/g;
const PATTERNS: Record<string, string> = {
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  time: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z',
  sig: '[A-Za-z0-9+/=_-]+',
  kmsHost: '[^/]+',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function matchString(expected: string, actual: string, bindings: Bindings): boolean {
  const names: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of expected.matchAll(PLACEHOLDER)) {
    pattern += escapeRegExp(expected.slice(last, m.index));
    const name = m[1]!;
    const bound = bindings.get(name);
    if (bound !== undefined) pattern += escapeRegExp(bound);
    else {
      names.push(name);
      pattern += `(${PATTERNS[name.split(':')[0]!]})`;
    }
    last = m.index! + m[0].length;
  }
  pattern += escapeRegExp(expected.slice(last));
  const match = new RegExp(`^${pattern}$`, 's').exec(actual);
  if (!match) return false;
  names.forEach((name, i) => {
    if (name.startsWith('uuid:')) bindings.set(name, match[i + 1]!);
  });
  return true;
}

/** Deep equality with placeholders; on success the bindings hold every uuid seen. */
export function matches(expected: unknown, actual: unknown, bindings: Bindings): boolean {
  if (typeof expected === 'string')
    return typeof actual === 'string' && matchString(expected, actual, bindings);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matches(e, actual[i], bindings))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    return [...keys].every((k) => k in e && k in a && matches(e[k], a[k], bindings));
  }
  return Object.is(expected, actual);
}

/** Every actual item matches a distinct expected item, in any order (backtracking over bindings). */
export function matchesAsSet(expected: unknown[], actual: unknown[], bindings: Bindings): boolean {
  if (expected.length !== actual.length) return false;
  const solve = (i: number, used: Set<number>, current: Bindings): Bindings | undefined => {
    if (i === actual.length) return current;
    for (const [j, e] of expected.entries()) {
      if (used.has(j)) continue;
      const trial = new Map(current);
      if (!matches(e, actual[i], trial)) continue;
      const solved = solve(i + 1, new Set([...used, j]), trial);
      if (solved) return solved;
    }
    return undefined;
  };
  const solved = solve(0, new Set(), bindings);
  if (!solved) return false;
  for (const [k, v] of solved) bindings.set(k, v);
  return true;
}

/** Each actual item matches one of the candidates (a page of a list ordered by random ids). */
export function matchesSomeOf(candidates: unknown[], actual: unknown[], bindings: Bindings): boolean {
  return actual.every((a) => candidates.some((c) => matches(c, a, new Map(bindings))));
}

export function bind(text: string, bindings: Bindings): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => bindings.get(name) ?? whole);
}
