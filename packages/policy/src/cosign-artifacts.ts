import type { CosignArtifacts, CosignLayer, CosignManifestRead } from './metadata.js';
import { isRecord } from './parse.js';

/**
 * Whether a source's answer has the shape of CosignArtifacts. Anything else is a backend failure: a
 * reader that returned garbage has not shown that the image is unsigned, nor that it is signed.
 */
export function isCosignArtifacts(value: unknown): value is CosignArtifacts {
  return (
    isRecord(value) &&
    typeof value.repository === 'string' &&
    isManifestRead(value.signatures) &&
    isManifestRead(value.attestations) &&
    Array.isArray(value.bundles) &&
    value.bundles.every(isManifestRead)
  );
}

function isManifestRead(value: unknown): value is CosignManifestRead {
  return (
    isRecord(value) &&
    typeof value.found === 'boolean' &&
    (value.tag === undefined || typeof value.tag === 'string') &&
    (value.digest === undefined || typeof value.digest === 'string') &&
    Array.isArray(value.layers) &&
    value.layers.every(isLayer)
  );
}

function isLayer(value: unknown): value is CosignLayer {
  return (
    isRecord(value) &&
    typeof value.mediaType === 'string' &&
    value.bytes instanceof Uint8Array &&
    isRecord(value.annotations) &&
    Object.values(value.annotations).every((v) => typeof v === 'string')
  );
}
