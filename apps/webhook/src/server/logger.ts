import pino, { type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** A ready stream (tests); otherwise `dest` (a file descriptor or path, default stdout). */
  destination?: DestinationStream;
  dest?: number | string;
  /** How long a line may wait in the batch (default 250 ms). */
  flushIntervalMs?: number;
}

/**
 * JSON lines, one per decision at `info`. Lines are batched (4 KiB or 250 ms, whichever comes first)
 * so that a busy webhook makes a few writes per second rather than one per review; `flush()` on exit.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { service: 'signet-webhook' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(settings, options.destination);
  const destination = pino.destination({ dest: options.dest ?? 1, sync: false, minLength: 4096 });
  // Flushed only when a line is waiting: sonic-boom's own periodicFlush writes even an empty batch,
  // four system calls a second on an idle log (~0.4% of a core; ~2% of the webhook's CPU in
  // bench:validate's profile, where routine admissions log nothing).
  let waiting = false;
  // A path is opened asynchronously: lines logged before are kept until it is open.
  let open = false;
  destination.once('ready', () => {
    open = true;
  });
  const timer = setInterval(() => {
    if (!waiting || !open) return;
    waiting = false;
    destination.flush();
  }, options.flushIntervalMs ?? 250);
  timer.unref();
  destination.on('close', () => clearInterval(timer));
  const hooks = {
    streamWrite: (line: string) => {
      waiting = true;
      return line;
    },
  };
  return pino({ ...settings, hooks }, destination);
}
