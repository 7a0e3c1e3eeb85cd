import {
  type CosignArtifacts,
  type CosignReadOptions,
  type CosignSource,
  type EvidenceSource,
  OccurrenceMetadataSource,
  type OccurrenceReader,
} from '@signet/policy';
import type { CosignArtifacts as RegistryCosignArtifacts } from '@signet/registry';
import type { ImageReference } from '@signet/signing';
import { parseDuration } from '../common/duration.js';
import type { RegistryClient } from '../common/registry.js';
import { DEFAULT_REGISTRY_TIMEOUT } from '../common/registry-defaults.js';

/** The registry flag that bounds each read (`--registry-timeout`). */
export interface CosignReadTimeout {
  registryTimeout?: string;
}

/**
 * policy's CosignSource over the CLI's registry client (the one that resolves tags: the same
 * credentials, CA and insecure registries). Each read is bounded by `--registry-timeout`; a failure
 * rejects with the registry's own RegistryError (never an answer of "not signed"): the decision makes it
 * a backend failure, and `signet verify` lets it end the command with the registry's exit code.
 */
export class RegistryCosignSource implements CosignSource {
  private readonly timeoutMs: number;

  constructor(
    private readonly registry: () => Promise<RegistryClient>,
    options: CosignReadTimeout,
  ) {
    this.timeoutMs = parseDuration(options.registryTimeout ?? DEFAULT_REGISTRY_TIMEOUT, '--registry-timeout');
  }

  async cosignArtifacts(image: ImageReference, options: CosignReadOptions): Promise<CosignArtifacts> {
    const registry = await this.registry();
    const read = await registry.readCosignArtifacts(`${image.name}@${image.digest}`, {
      signal: AbortSignal.timeout(this.timeoutMs),
      ...(options.repository === undefined ? {} : { repository: options.repository }),
    });
    return cosignArtifactsOf(read);
  }
}

/**
 * The registry's answer as policy reads it: the same shapes field by field (policy does not import the
 * registry, so the compiler checks them here); how bundles were looked for is the registry's detail.
 */
function cosignArtifactsOf(read: RegistryCosignArtifacts): CosignArtifacts {
  return {
    repository: read.repository,
    signatures: read.signatures,
    attestations: read.attestations,
    bundles: read.bundles,
  };
}

/** The store's metadata and the registry's cosign evidence: what the signer's decisions and audit read. */
export class SignerEvidenceSource extends OccurrenceMetadataSource implements EvidenceSource, CosignSource {
  constructor(
    store: OccurrenceReader,
    private readonly cosign: CosignSource,
  ) {
    super(store);
  }

  cosignArtifacts(image: ImageReference, options: CosignReadOptions): Promise<CosignArtifacts> {
    return this.cosign.cosignArtifacts(image, options);
  }
}
