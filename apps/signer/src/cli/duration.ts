import { usageError } from './cli-error.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `90s`, `5m`, `1h30m`, `250ms` or a bare number of seconds into milliseconds. */
export function parseDuration(input: string, flag: string): number {
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  const consumed = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || consumed !== text) {
    throw usageError(
      'DURATION_INVALID',
      `${flag} ${input} is not a duration`,
      `write it like 30s, 5m, 1h30m or 250ms (a bare number is seconds)`,
    );
  }
  return Math.round(
    parts.reduce((total, part) => total + Number(part[1]) * (unitMs[part[2] ?? 's'] ?? 0), 0),
  );
}
