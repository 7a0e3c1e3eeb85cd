import { DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '@signet/signing/cosign';
import { badStatus, deadlinePassed, denied, distributionErrorCodes, unauthorized } from './errors-http.js';
import type { HttpResponse } from './http.js';
import { digestMatches, sha256Digest } from './manifest.js';
import {
  type ArtifactRead,
  fetchTaggedManifest,
  type ImageManifest,
  OCI_MANIFEST,
  readImageManifest,
  TAGGED_MANIFEST_TYPES,
  where,
} from './oci-artifact.js';
import { RegistryError } from './registry-error.js';
import { header, type RepositoryAccess, type RequestBody, repositoryRequest } from './repository-request.js';

/** One layer to attach: a simple-signing payload or a DSSE envelope, its exact bytes and its annotations. */
export interface CosignLayerToAttach {
  mediaType: string;
  bytes: Uint8Array;
  annotations: Readonly<Record<string, string>>;
}

/** What was written: where, under which tag, the new manifest's digest, and whether the layer was new. */
export interface CosignWrite {
  /** The repository written to: the image's, or the signature repository given. */
  repository: string;
  /** `sha256-<hex>.sig` or `sha256-<hex>.att`. */
  tag: string;
  /** The digest of the `.sig` manifest the tag now names. */
  digest: string;
  /** How many layers (signatures, or attestations) the manifest holds now. */
  layers: number;
  /** False when the same layer (bytes and annotations) was there already: nothing was written. */
  appended: boolean;
}

const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCTET_STREAM = 'application/octet-stream';
/** cosign's config and history entries carry the zero time of Go. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
/** The most layers one `.sig` manifest may reach; readers refuse more (oci-artifact's bound). */
const MAX_LAYERS = 100;
const PUSH_REFUSALS = new Set(['REGISTRY_UNAUTHORIZED', 'REGISTRY_DENIED']);

type Descriptor = ImageManifest['layers'][number];

/** The two tags cosign 2.x writes beside an image, and the one layer type each holds. */
const KINDS = {
  signature: { suffix: '.sig', mediaType: SIMPLE_SIGNING_MEDIA_TYPE, what: 'cosign signature' },
  attestation: { suffix: '.att', mediaType: DSSE_MEDIA_TYPE, what: 'cosign attestation' },
} as const;
type CosignKind = keyof typeof KINDS;

/**
 * Appends one layer to the `sha256-<hex>.sig` (signature) or `.att` (attestation) manifest of
 * `imageDigest`, as `cosign sign` and `cosign attest` do: read the tag (absent: start empty), skip when
 * the identical layer is there, upload the layer and a config naming every layer (each blob asked for
 * with HEAD first), then PUT the manifest under the tag. Every request asks for `pull,push`.
 */
export async function attachCosignLayer(
  access: RepositoryAccess,
  imageDigest: string,
  layer: CosignLayerToAttach,
  timeoutMs: number,
  kind: CosignKind,
): Promise<CosignWrite> {
  const signal = AbortSignal.timeout(timeoutMs);
  const r: ArtifactRead = { ...access, actions: 'pull,push', signal };
  const { suffix, mediaType, what } = KINDS[kind];
  const tag = `${imageDigest.replace(':', '-')}${suffix}`;
  const repository = `${access.endpoint.registry}/${access.path}`;
  try {
    const existing = await readExisting(r, tag, mediaType, what);
    const bytes = Buffer.from(layer.bytes);
    const added: Descriptor = {
      mediaType: layer.mediaType,
      size: bytes.length,
      digest: sha256Digest(bytes),
      annotations: { ...layer.annotations },
    };
    if (existing.manifest !== undefined && existing.layers.some((l) => sameLayer(l, added))) {
      return { repository, tag, digest: existing.manifest, layers: existing.layers.length, appended: false };
    }
    const layers = [...existing.layers, added];
    if (layers.length > MAX_LAYERS) throw tooManyLayers(r, tag, layers.length);
    await uploadBlob(r, bytes, added.digest, tag);
    const config = Buffer.from(JSON.stringify(cosignConfig(layers)));
    const configDigest = sha256Digest(config);
    await uploadBlob(r, config, configDigest, tag);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, size: config.length, digest: configDigest },
        layers: layers.map(descriptorJson),
      }),
    );
    const digest = await putManifest(r, tag, manifest);
    return { repository, tag, digest, layers: layers.length, appended: true };
  } catch (error) {
    if (error instanceof RegistryError && PUSH_REFUSALS.has(error.code)) throw pushRefused(r, error, tag);
    if (signal.aborted && !(error instanceof RegistryError && error.code !== 'REGISTRY_TIMEOUT')) {
      throw deadlinePassed(
        access.endpoint.registry,
        `writing the ${what} ${where(r, tag)}`,
        error,
        'check the registry is up and reachable from here; allow more time (--registry-timeout) if it is only slow',
      );
    }
    throw error;
  }
}

async function readExisting(
  r: ArtifactRead,
  tag: string,
  mediaType: string,
  what: string,
): Promise<{ manifest: string | undefined; layers: Descriptor[] }> {
  const fetched = await fetchTaggedManifest(r, tag, TAGGED_MANIFEST_TYPES);
  if (fetched === undefined) return { manifest: undefined, layers: [] };
  const manifest = readImageManifest(r, fetched, where(r, tag));
  const foreign = manifest.layers.find((l) => l.mediaType !== mediaType);
  if (foreign !== undefined) {
    throw new RegistryError(
      'REGISTRY_BAD_RESPONSE',
      `${where(r, tag)} holds a layer of type ${foreign.mediaType}, not a ${what}; Signet does not add to it`,
      `check what was pushed under that tag; remove it if it is not a ${what} manifest`,
      { registry: r.endpoint.registry, status: 200 },
    );
  }
  return { manifest: fetched.digest, layers: manifest.layers };
}

function sameLayer(a: Descriptor, b: Descriptor): boolean {
  const keys = (d: Descriptor) => JSON.stringify(Object.entries(d.annotations ?? {}).sort());
  return a.digest === b.digest && a.mediaType === b.mediaType && keys(a) === keys(b);
}

/** The config cosign writes beside its signature layers: empty but for one history entry and diff_id per layer. */
function cosignConfig(layers: readonly Descriptor[]): object {
  return {
    architecture: '',
    created: ZERO_TIME,
    history: layers.map(() => ({ created: ZERO_TIME })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    config: {},
  };
}

/** A descriptor in the field order cosign (go-containerregistry) writes. */
function descriptorJson(d: Descriptor): object {
  return {
    mediaType: d.mediaType,
    size: d.size,
    digest: d.digest,
    ...(d.annotations === undefined ? {} : { annotations: d.annotations }),
  };
}

/** HEAD first; when the registry lacks the blob, POST an upload and PUT the bytes to where it says. */
async function uploadBlob(r: ArtifactRead, bytes: Buffer, digest: string, tag: string): Promise<void> {
  const at = `blob ${digest} for ${where(r, tag)}`;
  const head = await repositoryRequest(r, 'HEAD', `blobs/${digest}`, undefined, r.signal);
  if (head.status === 200) return;
  if (head.status !== 404) checkWrite(r, head, at, [200]);
  const empty: RequestBody = { bytes: new Uint8Array(0), contentType: OCTET_STREAM };
  const started = await repositoryRequest(r, 'POST', 'blobs/uploads/', undefined, r.signal, empty);
  checkWrite(r, started, `${at} (starting the upload)`, [202]);
  const location = header(started, 'location');
  if (location === undefined) {
    throw badWrite(r, `registry ${r.endpoint.registry} started an upload for ${at} without a Location`);
  }
  const url = new URL(location, started.url);
  if (started.url.protocol === 'https:' && url.protocol !== 'https:') {
    throw badWrite(
      r,
      `registry ${r.endpoint.registry} named an upload location that is not HTTPS (${url.origin})`,
    );
  }
  url.searchParams.set('digest', digest);
  const put = await repositoryRequest(r, 'PUT', url, undefined, r.signal, {
    bytes,
    contentType: OCTET_STREAM,
  });
  checkWrite(r, put, at, [201, 204]);
}

async function putManifest(r: ArtifactRead, tag: string, manifest: Buffer): Promise<string> {
  const at = where(r, tag);
  const response = await repositoryRequest(r, 'PUT', `manifests/${tag}`, undefined, r.signal, {
    bytes: manifest,
    contentType: OCI_MANIFEST,
  });
  checkWrite(r, response, at, [201, 200]);
  const digest = sha256Digest(manifest);
  const stated = header(response, 'docker-content-digest');
  if (stated !== undefined && digestMatches(stated, manifest) !== true) {
    throw new RegistryError(
      'REGISTRY_DIGEST_MISMATCH',
      `registry ${r.endpoint.registry} stored ${at} as ${stated}, but the manifest sent is ${digest}`,
      'the registry or a proxy in front of it altered the manifest: do not trust this registry until it is explained',
      { registry: r.endpoint.registry, status: response.status },
    );
  }
  return digest;
}

function checkWrite(r: ArtifactRead, response: HttpResponse, at: string, ok: readonly number[]): void {
  const registry = r.endpoint.registry;
  if (ok.includes(response.status)) return;
  if (response.status === 401) throw unauthorized(registry, 401, r.credential === undefined, at);
  if (response.status === 403) throw denied(registry, 403, at);
  throw badStatus(registry, response.status, at, distributionErrorCodes(response.body));
}

/**
 * A refused login or access, wherever it came from (the registry, its token service), said as what it
 * is here: the credentials may not push.
 */
function pushRefused(r: ArtifactRead, error: RegistryError, tag: string): RegistryError {
  const registry = r.endpoint.registry;
  const repository = `${registry}/${r.path}`;
  const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
  const details = { registry, cause: error, ...(error.status === undefined ? {} : { status: error.status }) };
  if (r.credential === undefined) {
    return new RegistryError(
      error.code,
      `registry ${registry} refused an anonymous write of ${where(r, tag)}${status}: pushing needs credentials`,
      `give credentials that may push to ${repository} (--registry-config, a Docker config.json)`,
      details,
    );
  }
  return new RegistryError(
    error.code,
    `registry ${registry} refused to let the credentials given write ${where(r, tag)}${status}: they lack push rights to ${repository}, or are wrong`,
    `grant the account push access to ${repository}, use credentials that have it, or store signatures in a repository you may push to (--cosign-repository)`,
    details,
  );
}

function badWrite(r: ArtifactRead, message: string): RegistryError {
  return new RegistryError(
    'REGISTRY_BAD_RESPONSE',
    message,
    'the registry or a proxy in front of it answered outside the Distribution API; check its address and version',
    { registry: r.endpoint.registry },
  );
}

function tooManyLayers(r: ArtifactRead, tag: string, count: number): RegistryError {
  return new RegistryError(
    'REGISTRY_BAD_RESPONSE',
    `${where(r, tag)} would hold ${count} layers, more than the ${MAX_LAYERS} readers take`,
    'remove old layers from the tag (or delete it and sign again) before adding another',
    { registry: r.endpoint.registry },
  );
}
