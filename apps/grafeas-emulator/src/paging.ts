import { invalid } from './api-error.js';

const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** pageSize: absent or 0 -> 20; negative -> 400; above 1000 -> 1000. */
export function parsePageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  if (!/^-?\d+$/.test(raw)) throw invalid(`pageSize "${raw}" is not an integer`);
  const size = Number(raw);
  if (size < 0) throw invalid(`pageSize must be positive, got ${size}`);
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}

/** Google's page tokens are opaque: here a keyset cursor (the last id or sequence number served). */
export function encodeToken(next: string | number): string {
  return Buffer.from(`c1:${next}`, 'utf8').toString('base64url');
}

export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith('c1:') || text.length === 3) throw invalid(`invalid page token "${token}"`);
  return text.slice(3);
}
