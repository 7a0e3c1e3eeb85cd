import { errorMessage } from '@signet/errors';
import type { AttestationEvidence, MetadataSource, VulnerabilityFinding } from './metadata.js';

export type Lookup<T> = { ok: true; value: T } | { ok: false; failure: string };

/**
 * The metadata lookups of one decision: each asked once however many policies need it, cut short
 * when `signal` aborts, and never rejecting (a failure is data that names the backend).
 */
export class RequestLookups {
  private readonly memo = new Map<string, Promise<Lookup<unknown>>>();

  constructor(
    private readonly source: MetadataSource,
    private readonly signal: AbortSignal | undefined,
  ) {}

  attestations(noteName: string, resourceUrl: string): Promise<Lookup<AttestationEvidence[]>> {
    return this.once(`a|${noteName}|${resourceUrl}`, `attestations of note ${noteName}`, () =>
      this.source.attestations(noteName, resourceUrl, this.signal),
    );
  }

  vulnerabilities(resourceUrl: string, project: string): Promise<Lookup<VulnerabilityFinding[]>> {
    return this.once(`v|${project}|${resourceUrl}`, `vulnerabilities in project ${project}`, () =>
      this.source.vulnerabilities(resourceUrl, project, this.signal),
    );
  }

  private once<T>(key: string, what: string, call: () => Promise<T>): Promise<Lookup<T>> {
    let pending = this.memo.get(key) as Promise<Lookup<T>> | undefined;
    if (!pending) {
      pending = this.run(what, call);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private async run<T>(what: string, call: () => Promise<T>): Promise<Lookup<T>> {
    const backend = this.source.description ? ` (${this.source.description})` : '';
    try {
      const value = await abortable(call, this.signal);
      if (!Array.isArray(value))
        return { ok: false, failure: `the metadata backend${backend} returned no list of ${what}` };
      return { ok: true, value };
    } catch (error) {
      const reason = errorMessage(error);
      return { ok: false, failure: `reading ${what} from the metadata backend${backend} failed: ${reason}` };
    }
  }
}

/** Rejects as soon as `signal` aborts, even if the source ignores the signal. */
function abortable<T>(call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return Promise.resolve().then(call);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(call)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new Error('the deadline of the admission request passed before it answered');
}
