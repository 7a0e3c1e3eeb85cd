import pino, { type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** A ready stream (tests); otherwise `dest` (a file descriptor or path, default stdout). */
  destination?: DestinationStream;
  dest?: number | string;
}

/**
 * JSON lines, one per decision at `info`. Lines are batched (4 KiB or 250 ms, whichever comes first)
 * so that a busy webhook makes a few writes per second rather than one per review; `flush()` on exit.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'signet-webhook' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ??
      pino.destination({ dest: options.dest ?? 1, sync: false, minLength: 4096, periodicFlush: 250 }),
  );
}
