import { type GrafeasError, localGrafeasError } from '../errors.js';

/** A deadline (TimeoutError) reads as DEADLINE_EXCEEDED; any other abort as CANCELLED. */
export function abortError(backend: string, signal: AbortSignal, cause?: unknown): GrafeasError {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === 'TimeoutError' || reason === undefined) {
    return localGrafeasError(
      'GRAFEAS_DEADLINE_EXCEEDED',
      backend,
      `${backend} did not answer before the deadline`,
      cause ?? signal.reason,
    );
  }
  return localGrafeasError(
    'GRAFEAS_CANCELLED',
    backend,
    `the call to ${backend} was cancelled`,
    cause ?? reason,
  );
}

/** Resolve after `ms`, or reject with the abort error as soon as the signal fires. */
export function sleep(ms: number, signal: AbortSignal, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(onAbort());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}
