import { parseDuration as parseDurationText } from '@signet/duration';
import { usageError } from './cli-error.js';

/** Milliseconds in a flag's duration (`90s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds). */
export function parseDuration(input: string, flag: string): number {
  const ms = parseDurationText(input, { bareSeconds: true });
  if (ms === undefined) {
    throw usageError(
      'DURATION_INVALID',
      `${flag} ${input} is not a duration`,
      `write it like 30s, 5m, 1h30m or 250ms (a bare number is seconds)`,
    );
  }
  return Math.round(ms);
}
