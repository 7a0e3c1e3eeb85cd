import type { Flavor } from './api-error.js';
import { invalid } from './api-error.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** pageSize: absent or 0 -> 20; negative -> 400; above 1000 -> 1000 (Google) or 400 (OSS). */
export function parsePageSize(raw: string | undefined, flavor: Flavor): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  if (!/^-?\d+$/.test(raw)) throw invalid(`pageSize "${raw}" is not an integer`);
  const size = Number(raw);
  if (size < 0) throw invalid(`pageSize must be positive, got ${size}`);
  if (size === 0) return DEFAULT_PAGE_SIZE;
  if (size > MAX_PAGE_SIZE) {
    if (flavor === 'oss') throw invalid(`page size ${size} exceeds the maximum of ${MAX_PAGE_SIZE}`);
    return MAX_PAGE_SIZE;
  }
  return size;
}

/** Google tokens are opaque (a keyset cursor); OSS memstore tokens are decimal offsets. */
export type Cursor = { kind: 'after'; value: string } | { kind: 'offset'; value: number };

export function encodeToken(flavor: Flavor, next: string | number): string {
  if (flavor === 'oss') return String(next);
  return Buffer.from(`c1:${next}`, 'utf8').toString('base64url');
}

export function decodeToken(flavor: Flavor, token: string | undefined): Cursor | undefined {
  if (token === undefined || token === '') return flavor === 'oss' ? { kind: 'offset', value: 0 } : undefined;
  if (flavor === 'oss') {
    if (!/^\d+$/.test(token)) throw invalid(`invalid page token "${token}"`);
    return { kind: 'offset', value: Number(token) };
  }
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith('c1:') || text.length === 3) throw invalid(`invalid page token "${token}"`);
  return { kind: 'after', value: text.slice(3) };
}

/** A Google list token over a filtered result: the offset, opaque to clients. */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(`o1:${offset}`, 'utf8').toString('base64url');
}

export function decodeOffsetToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const match = /^o1:(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalid(`invalid page token "${token}"`);
  return Number(match[1]);
}
