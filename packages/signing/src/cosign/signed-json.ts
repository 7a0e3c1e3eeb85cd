import type { z } from 'zod';
import { parseStrictJson, StrictJsonError } from '../strict-json.js';

/** Far above any real cosign payload, envelope or bundle (a few KiB); a hostile blob costs little. */
const MAX_BYTES = 1024 * 1024;

export type JsonReading =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/** Strict UTF-8 and strict JSON (no duplicate keys, no trailing data), or why not. */
export function readStrictJson(bytes: Uint8Array): JsonReading {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'it is not bytes' };
  if (bytes.length > MAX_BYTES) return { ok: false, reason: `it is larger than ${MAX_BYTES} bytes` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'it is not valid UTF-8' };
  }
  try {
    return { ok: true, value: parseStrictJson(text) };
  } catch (error) {
    if (error instanceof StrictJsonError)
      return { ok: false, reason: `it is not valid JSON: ${error.message}` };
    throw error;
  }
}

/** The first issues of a zod failure, each with the path of the field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'top level'}: ${issue.message}`)
    .join('; ');
}
