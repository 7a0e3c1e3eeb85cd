import { z } from 'zod';

/**
 * Proto names (note_name) are accepted on input as well as lowerCamel (noteName). Where one field is
 * given in both spellings with different values, its name goes into `conflicts` (the lowerCamel value
 * is kept): a reader that decides by it must not pick one. A value with nothing to rename is returned
 * as it is, not copied: a whole note's read passes 50,000 occurrences through here.
 */
export function camelizeKeys(value: unknown, conflicts: string[] = []): unknown {
  return needsRenaming(value, 0) ? renamed(value, conflicts, 0) : value;
}

/** Whether a key at any depth has an underscore (a proto name, or `__proto__`), without allocating. */
function needsRenaming(value: unknown, depth: number): boolean {
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => needsRenaming(v, depth + 1));
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('_') || needsRenaming((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function renamed(value: unknown, conflicts: string[], depth: number): unknown {
  if (depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => renamed(v, conflicts, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '__proto__') continue;
    const camel = key.includes('_') ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key;
    const next = renamed(v, conflicts, depth + 1);
    if (camel in out && JSON.stringify(out[camel]) !== JSON.stringify(next)) conflicts.push(camel);
    if (!(camel in out) || camel === key) out[camel] = next;
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An enum that reads unknown values as its first (UNSPECIFIED) member, as the doc asks. */
export function lenientEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const fallback = values[0] as T[number];
  return z
    .unknown()
    .transform((v): T[number] => (typeof v === 'string' && values.includes(v) ? (v as T[number]) : fallback))
    .default(fallback as NoUndefined<Awaited<T[number]>>);
}

type NoUndefined<V> = V extends undefined ? never : V;

/** A string field that tolerates absence, null and wrong types (read as undefined). */
export const optString = z
  .unknown()
  .transform((v) => (typeof v === 'string' && v !== '' ? v : undefined))
  .optional();

export const optNumber = z
  .unknown()
  .transform((v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined))
  .optional();

export const optBoolean = z
  .unknown()
  .transform((v) => (typeof v === 'boolean' ? v : undefined))
  .optional();

/** A list that tolerates absence (Google omits empty lists) and wrong types. */
export function list<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .optional()
    .transform((v): unknown[] => (Array.isArray(v) ? v : []))
    .pipe(z.array(item));
}

/** Drop keys whose value is undefined, so output JSON omits empty fields like protojson does. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
