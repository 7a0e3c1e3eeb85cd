import { errorMessage } from '@signet/errors';
import type { AttestationEvidence, MetadataSource, ScanRecord, VulnerabilityFinding } from './metadata.js';

export type Lookup<T> = { ok: true; value: T } | { ok: false; failure: string };

/**
 * The metadata lookups of one decision: each asked once however many policies need it, and never
 * rejecting (a failure is data that names the backend). Time limits are the caller's: the webhook
 * answers at its deadline whatever the lookups do, and bounds each backend call in its cache.
 */
export class RequestLookups {
  private readonly memo = new Map<string, Promise<Lookup<unknown>>>();

  constructor(private readonly source: MetadataSource) {}

  attestations(noteName: string, resourceUrl: string): Promise<Lookup<AttestationEvidence[]>> {
    return this.once(`a|${noteName}|${resourceUrl}`, `attestations of note ${noteName}`, () =>
      this.source.attestations(noteName, resourceUrl),
    );
  }

  vulnerabilities(resourceUrl: string, project: string): Promise<Lookup<VulnerabilityFinding[]>> {
    return this.once(`v|${project}|${resourceUrl}`, `vulnerabilities in project ${project}`, () =>
      this.source.vulnerabilities(resourceUrl, project),
    );
  }

  scans(resourceUrl: string, project: string): Promise<Lookup<ScanRecord[]>> {
    const source = this.source;
    return this.once(`s|${project}|${resourceUrl}`, `scan status in project ${project}`, () =>
      source.scans
        ? source.scans(resourceUrl, project)
        : Promise.reject(new Error('this metadata source does not report scan status')),
    );
  }

  /** The source's word on an attestation lookup of `noteName` that found nothing (see MetadataSource). */
  describeAbsence(noteName: string): string | undefined {
    return this.source.describeAbsence?.(noteName);
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
      const value = await call();
      if (!Array.isArray(value))
        return { ok: false, failure: `the metadata backend${backend} returned no list of ${what}` };
      return { ok: true, value };
    } catch (error) {
      const reason = errorMessage(error);
      return { ok: false, failure: `reading ${what} from the metadata backend${backend} failed: ${reason}` };
    }
  }
}
