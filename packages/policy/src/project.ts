import type { ImageReference } from '@signet/signing';

const GCR = /^([a-z0-9-]+\.)?gcr\.io$/;
const ARTIFACT_REGISTRY = /^[a-z0-9-]+-docker\.pkg\.dev$/;

/**
 * The project whose occurrences hold an image's scan results: for GCR (any region) and Artifact
 * Registry, the registry's project (domain-scoped `example.com/p` is `example.com:p`); for any
 * other registry, the operator's configured project, or undefined when there is none.
 */
export function vulnerabilityProjectFor(image: ImageReference, configured?: string): string | undefined {
  if (GCR.test(image.registry) || ARTIFACT_REGISTRY.test(image.registry)) {
    const [first, second] = image.path.split('/');
    if (first?.includes('.') && second) return `${first}:${second}`;
    if (first) return first;
  }
  return configured;
}
