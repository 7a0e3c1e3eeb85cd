import type { ImageReference } from '@signet/signing';
import type {
  AttestationEvidence,
  CosignArtifacts,
  CosignReadOptions,
  EvidenceSource,
  ScanRecord,
  VulnerabilityFinding,
} from './metadata.js';

/** How many distinct lookups a run made, per kind. */
export interface LookupCounts {
  attestations: number;
  vulnerabilities: number;
  /** Registry reads of cosign artefacts (per image and repository), when the source reads any. */
  cosign?: number;
}

/**
 * A metadata source that asks the one it wraps at most once per distinct lookup for its lifetime
 * (one audit run): a failure too is remembered, so a broken backend is asked once, not per Pod.
 */
export class RunLookups implements EvidenceSource {
  readonly description: string | undefined;
  private readonly attestationCalls = new Map<string, Promise<AttestationEvidence[]>>();
  private readonly vulnerabilityCalls = new Map<string, Promise<VulnerabilityFinding[]>>();
  private readonly cosignCalls = new Map<string, Promise<CosignArtifacts>>();
  private readonly scanCalls = new Map<string, Promise<ScanRecord[]>>();
  /** Present only when the wrapped source reads cosign evidence: otherwise cosign authorities fail closed. */
  readonly cosignArtifacts?: (image: ImageReference, options: CosignReadOptions) => Promise<CosignArtifacts>;
  /** Present only when the wrapped source reports scans: otherwise `requireScan` fails closed. */
  readonly scans?: (resourceUrl: string, project: string) => Promise<ScanRecord[]>;
  readonly describeAbsence?: (noteName: string) => string | undefined;

  constructor(private readonly inner: EvidenceSource) {
    this.description = inner.description;
    const scans = inner.scans?.bind(inner);
    if (scans) {
      this.scans = (resourceUrl, project) =>
        once(this.scanCalls, `${project}|${resourceUrl}`, () => scans(resourceUrl, project));
    }
    if (inner.describeAbsence) this.describeAbsence = inner.describeAbsence.bind(inner);
    const read = inner.cosignArtifacts?.bind(inner);
    if (read) {
      this.cosignArtifacts = (image, options) =>
        once(this.cosignCalls, `${options.repository ?? image.name}|${image.name}@${image.digest}`, () =>
          read(image, options),
        );
    }
  }

  get counts(): LookupCounts {
    return {
      attestations: this.attestationCalls.size,
      vulnerabilities: this.vulnerabilityCalls.size,
      ...(this.cosignArtifacts ? { cosign: this.cosignCalls.size } : {}),
    };
  }

  attestations(noteName: string, resourceUrl: string): Promise<AttestationEvidence[]> {
    return once(this.attestationCalls, `${noteName}|${resourceUrl}`, () =>
      this.inner.attestations(noteName, resourceUrl),
    );
  }

  vulnerabilities(resourceUrl: string, project: string): Promise<VulnerabilityFinding[]> {
    return once(this.vulnerabilityCalls, `${project}|${resourceUrl}`, () =>
      this.inner.vulnerabilities(resourceUrl, project),
    );
  }
}

function once<T>(calls: Map<string, Promise<T>>, key: string, call: () => Promise<T>): Promise<T> {
  let pending = calls.get(key);
  if (!pending) {
    pending = Promise.resolve().then(call);
    pending.catch(() => {});
    calls.set(key, pending);
  }
  return pending;
}
