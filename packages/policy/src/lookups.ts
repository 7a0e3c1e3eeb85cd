import { errorMessage } from '@signet/errors';
import type { ImageReference } from '@signet/signing';
import { isCosignArtifacts } from './cosign-artifacts.js';
import type {
  AttestationEvidence,
  CosignArtifacts,
  EvidenceSource,
  ScanRecord,
  VulnerabilityFinding,
} from './metadata.js';

export type Lookup<T> = { ok: true; value: T } | { ok: false; failure: string };

/**
 * The metadata lookups of one decision: each asked once however many policies need it, and never
 * rejecting (a failure is data that names the backend). Time limits are the caller's: the webhook
 * answers at its deadline whatever the lookups do, and bounds each backend call in its cache.
 */
export class RequestLookups {
  private readonly memo = new Map<string, Promise<Lookup<unknown>>>();

  constructor(private readonly source: EvidenceSource) {}

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

  /** Whether the source reads cosign evidence from a registry at all (see CosignSource). */
  get readsCosign(): boolean {
    return typeof this.source.cosignArtifacts === 'function';
  }

  /** cosign's artefacts for `image` (pinned), from `repository` or the image's own; once per decision. */
  cosignArtifacts(image: ImageReference, repository: string | undefined): Promise<Lookup<CosignArtifacts>> {
    const source = this.source;
    const where = repository ?? image.name;
    return this.once(
      `c|${where}|${image.name}@${image.digest}`,
      `cosign signatures of ${image.name}@${image.digest} in repository ${where}`,
      () =>
        source.cosignArtifacts
          ? source.cosignArtifacts(image, repository === undefined ? {} : { repository })
          : Promise.reject(new Error('this metadata source reads no registry for cosign evidence')),
      isCosignArtifacts,
      'cosign artefacts',
      'the registry',
    );
  }

  /** The source's word on an attestation lookup of `noteName` that found nothing (see MetadataSource). */
  describeAbsence(noteName: string): string | undefined {
    return this.source.describeAbsence?.(noteName);
  }

  private once<T>(
    key: string,
    what: string,
    call: () => Promise<T>,
    isValid: (value: unknown) => boolean = Array.isArray,
    shape = `list of ${what}`,
    from?: string,
  ): Promise<Lookup<T>> {
    let pending = this.memo.get(key) as Promise<Lookup<T>> | undefined;
    if (!pending) {
      pending = this.run(what, call, isValid, shape, from);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private async run<T>(
    what: string,
    call: () => Promise<T>,
    isValid: (value: unknown) => boolean,
    shape: string,
    // A registry read is named as one: the source's description is its Grafeas backend's.
    from = `the metadata backend${this.source.description ? ` (${this.source.description})` : ''}`,
  ): Promise<Lookup<T>> {
    try {
      const value = await call();
      if (!isValid(value)) return { ok: false, failure: `${from} returned no ${shape}` };
      return { ok: true, value };
    } catch (error) {
      const reason = errorMessage(error);
      return { ok: false, failure: `reading ${what} from ${from} failed: ${reason}` };
    }
  }
}
