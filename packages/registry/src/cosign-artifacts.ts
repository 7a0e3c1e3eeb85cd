import { BUNDLE_MEDIA_TYPE, DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '@signet/signing/cosign';
import { COSIGN_DEADLINE_FIX, deadlinePassed } from './errors-http.js';
import {
  type ArtifactLayer,
  type ArtifactRead,
  fetchManifestByDigest,
  fetchReferrers,
  fetchTaggedManifest,
  type ImageIndex,
  inBatches,
  OCI_INDEX,
  OCI_MANIFEST,
  readImageIndex,
  readImageManifest,
  readLayers,
  TAGGED_MANIFEST_TYPES,
  where,
} from './oci-artifact.js';
import { RegistryError } from './registry-error.js';
import type { RepositoryAccess } from './repository-request.js';

/** One manifest cosign stores beside an image, as read: what was looked at, and its layers of cosign's type. */
interface CosignManifestRead {
  /** The tag looked at (`sha256-<hex>.sig`, the referrers fallback tag `sha256-<hex>`). */
  tag?: string;
  /** The manifest's digest, when one was read. */
  digest?: string;
  /** False only when the registry answered 404 MANIFEST_UNKNOWN or NAME_UNKNOWN: nothing stored there. */
  found: boolean;
  /** The layers of the media type cosign stores there, each checked against its digest; others ignored. */
  layers: ArtifactLayer[];
}

/** A referrer manifest not taken as evidence, and why (another subject, another artifact type). */
interface SkippedReferrer {
  digest: string;
  reason: string;
}

/** What cosign stores in a registry for one image digest. */
export interface CosignArtifacts {
  /** Where they were looked for: `127.0.0.1:5000/signet/app` (the image's repository, or the one given). */
  repository: string;
  /** The `sha256-<hex>.sig` tag: simple-signing layers. */
  signatures: CosignManifestRead;
  /** The `sha256-<hex>.att` tag: DSSE envelope layers. */
  attestations: CosignManifestRead;
  /** Sigstore bundle v0.3 referrers whose subject is the image: one read per referrer manifest. */
  bundles: CosignManifestRead[];
  /** How bundles were looked for: the referrers API, or the fallback tag where the registry has none. */
  referrers: { via: 'api' } | { via: 'tag'; tag: string; found: boolean };
  skipped: SkippedReferrer[];
}

const REFERRER_FALLBACK_ENTRY_TYPES = new Set([BUNDLE_MEDIA_TYPE, 'application/vnd.oci.empty.v1+json']);
const REFERRER_CONCURRENCY = 4;

/**
 * Reads the `.sig` and `.att` tags and the bundle referrers of `imageDigest` in one repository, in
 * parallel, within `timeoutMs`. Absent is only what the registry says is unknown; any other failure
 * is a RegistryError.
 */
export async function readCosignArtifacts(
  access: RepositoryAccess,
  imageDigest: string,
  timeoutMs: number,
): Promise<CosignArtifacts> {
  const signal = AbortSignal.timeout(timeoutMs);
  const r: ArtifactRead = { ...access, signal };
  const tag = imageDigest.replace(':', '-');
  try {
    const [signatures, attestations, referrers] = await Promise.all([
      readTagged(r, `${tag}.sig`, SIMPLE_SIGNING_MEDIA_TYPE),
      readTagged(r, `${tag}.att`, DSSE_MEDIA_TYPE),
      readReferrers(r, imageDigest, tag),
    ]);
    return {
      repository: `${access.endpoint.registry}/${access.path}`,
      signatures,
      attestations,
      ...referrers,
    };
  } catch (error) {
    if (signal.aborted && !(error instanceof RegistryError && error.code !== 'REGISTRY_TIMEOUT')) {
      throw deadlinePassed(
        access.endpoint.registry,
        `reading cosign signatures of ${where(r, imageDigest)}`,
        error,
        COSIGN_DEADLINE_FIX,
      );
    }
    throw error;
  }
}

async function readTagged(r: ArtifactRead, tag: string, layerType: string): Promise<CosignManifestRead> {
  const fetched = await fetchTaggedManifest(r, tag, TAGGED_MANIFEST_TYPES);
  if (fetched === undefined) return { tag, found: false, layers: [] };
  const at = where(r, tag);
  const manifest = readImageManifest(r, fetched, at);
  return { tag, digest: fetched.digest, found: true, layers: await readLayers(r, manifest, layerType, at) };
}

type ReferrersRead = Pick<CosignArtifacts, 'bundles' | 'referrers' | 'skipped'>;

/** The referrers API; where the registry has none (404), the fallback tag `sha256-<hex>`. */
async function readReferrers(r: ArtifactRead, imageDigest: string, tag: string): Promise<ReferrersRead> {
  const response = await fetchReferrers(r, imageDigest, BUNDLE_MEDIA_TYPE);
  if (response !== undefined) {
    const index = readImageIndex(r, response, where(r, imageDigest));
    return { ...(await readBundleManifests(r, imageDigest, index, undefined)), referrers: { via: 'api' } };
  }
  const fetched = await fetchTaggedManifest(r, tag, [OCI_INDEX]);
  if (fetched === undefined)
    return { bundles: [], skipped: [], referrers: { via: 'tag', tag, found: false } };
  const index = readImageIndex(r, fetched, where(r, tag));
  return {
    ...(await readBundleManifests(r, imageDigest, index, tag)),
    referrers: { via: 'tag', tag, found: true },
  };
}

async function readBundleManifests(
  r: ArtifactRead,
  imageDigest: string,
  index: ImageIndex,
  tag: string | undefined,
): Promise<Omit<ReferrersRead, 'referrers'>> {
  const bundles: CosignManifestRead[] = [];
  const skipped: SkippedReferrer[] = [];
  const entries = index.manifests.filter((entry) => {
    const wanted = tag === undefined ? entry.artifactType === BUNDLE_MEDIA_TYPE : fallbackEntryWanted(entry);
    if (!wanted)
      skipped.push({
        digest: entry.digest,
        reason: `listed as ${entry.mediaType} of artifactType ${entry.artifactType ?? 'none'}, not a Sigstore bundle manifest`,
      });
    return wanted;
  });
  const reads = await inBatches(entries, REFERRER_CONCURRENCY, (entry) =>
    readBundleManifest(r, imageDigest, entry.digest),
  );
  for (const read of reads) {
    if ('reason' in read) skipped.push(read);
    else bundles.push(tag === undefined ? read : { tag, ...read });
  }
  return { bundles, skipped };
}

/**
 * cosign 2.5 names the fallback index entry by its config's type (`application/vnd.oci.empty.v1+json`),
 * not the bundle's: entries of those two types, or of none, are read; the manifest itself decides.
 */
function fallbackEntryWanted(entry: { mediaType: string; artifactType?: string | undefined }): boolean {
  if (entry.mediaType !== OCI_MANIFEST) return false;
  return entry.artifactType === undefined || REFERRER_FALLBACK_ENTRY_TYPES.has(entry.artifactType);
}

async function readBundleManifest(
  r: ArtifactRead,
  imageDigest: string,
  digest: string,
): Promise<CosignManifestRead | SkippedReferrer> {
  const fetched = await fetchManifestByDigest(r, digest, [OCI_MANIFEST]);
  const at = where(r, digest);
  const manifest = readImageManifest(r, fetched, at);
  const artifactType = manifest.artifactType ?? manifest.config.mediaType;
  if (artifactType !== BUNDLE_MEDIA_TYPE) {
    return { digest, reason: `its artifactType is ${artifactType}, not ${BUNDLE_MEDIA_TYPE}` };
  }
  if (manifest.subject?.digest !== imageDigest) {
    return {
      digest,
      reason: `its subject is ${manifest.subject?.digest ?? 'missing'}, not the image ${imageDigest}`,
    };
  }
  return { digest, found: true, layers: await readLayers(r, manifest, BUNDLE_MEDIA_TYPE, at) };
}
