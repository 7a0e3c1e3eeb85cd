import type { CosignArtifacts, CosignReadOptions, CosignSource } from '@signet/policy';
import type { RegistryClient, CosignArtifacts as RegistryCosignArtifacts } from '@signet/registry';
import type { ImageReference } from '@signet/signing';
import type { Logger } from 'pino';
import type { Deadline } from '../admission/deadline.js';
import type { WebhookMetrics } from '../monitoring/metrics.js';

export interface RegistryCosignReaderOptions {
  /** The registry client POST /mutate resolves tags with: its credentials, CA, insecure registries, TTL. */
  registry: Pick<RegistryClient, 'readCosignArtifacts'>;
  metrics?: WebhookMetrics;
  logger?: Logger;
}

/**
 * A read still waiting this long after its review's deadline stops waiting: the review has been answered
 * by then (the deadline's answer, not this read's failure); the shared read goes on and fills the cache.
 */
const AFTER_DEADLINE_MS = 1_000;

/**
 * Policy's `CosignSource` over the webhook's registry client, which caches each answer per signature
 * repository, image digest and credential for `--resolve-ttl` and shares concurrent reads. A failure
 * rejects (policy's BACKEND_FAILED); only a tag the registry says is unknown is "not signed".
 */
export class RegistryCosignReader {
  private readonly results = new Map<string, { inc(): void }>();

  constructor(private readonly options: RegistryCosignReaderOptions) {}

  /** The reader without a deadline (the audit): the registry client's own timeout bounds each read. */
  readonly cosignArtifacts: CosignSource['cosignArtifacts'] = (image, options) => this.read(image, options);

  /** The reader for one review: a read still waiting after its deadline gives up (the review was answered). */
  within(deadline: Deadline): CosignSource['cosignArtifacts'] {
    return async (image, options) => {
      const remaining = deadline.remainingMs();
      if (!Number.isFinite(remaining)) return this.read(image, options);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), remaining + AFTER_DEADLINE_MS);
      try {
        return await this.read(image, options, controller.signal);
      } finally {
        clearTimeout(timer);
      }
    };
  }

  private async read(
    image: ImageReference,
    options: CosignReadOptions,
    signal?: AbortSignal,
  ): Promise<CosignArtifacts> {
    try {
      const answer = await this.options.registry.readCosignArtifacts(`${image.name}@${image.digest}`, {
        ...(signal ? { signal } : {}),
        ...(options.repository === undefined ? {} : { repository: options.repository }),
      });
      this.count(answer.cached ? 'cached' : 'fetched');
      return asPolicyArtifacts(answer);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.count(typeof code === 'string' ? code : 'ERROR');
      this.options.logger?.warn(
        { err: error, image: `${image.name}@${image.digest}`, repository: options.repository ?? image.name },
        'reading cosign signatures from the registry failed',
      );
      throw error;
    }
  }

  private count(result: string): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    let child = this.results.get(result);
    if (!child) {
      child = metrics.cosignReads.labels({ result });
      this.results.set(result, child);
    }
    child.inc();
  }
}

/**
 * The registry's answer as policy reads it, field by field (the same shapes; policy does not import the
 * registry). How bundles were looked for and the referrers left out are the registry's detail.
 */
function asPolicyArtifacts(answer: RegistryCosignArtifacts): CosignArtifacts {
  return {
    repository: answer.repository,
    signatures: answer.signatures,
    attestations: answer.attestations,
    bundles: answer.bundles,
  };
}
