import { z } from 'zod';
import { badStatus, denied, distributionErrorCodes, unauthorized } from './errors-http.js';
import type { HttpResponse } from './http.js';
import { digestMatches, isWellFormedDigest, sha256Digest } from './manifest.js';
import { RegistryError } from './registry-error.js';
import { header, type RepositoryAccess, repositoryRequest } from './repository-request.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** cosign writes Docker v2 manifests under COSIGN_DOCKER_MEDIA_TYPES=1; their layers read alike. */
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Bounds on what one manifest may make Signet fetch and hold. */
const MAX_LAYERS = 100;
const MAX_BLOB_BYTES = 4 * 1024 * 1024;
const BLOB_CONCURRENCY = 4;

const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  artifactType: z.string().optional(),
});
type Descriptor = z.infer<typeof descriptorSchema>;

const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
});
export type ImageIndex = z.infer<typeof imageIndexSchema>;

/** One layer as the registry holds it: its bytes checked against its digest. */
export interface ArtifactLayer {
  mediaType: string;
  bytes: Uint8Array;
  annotations: Record<string, string>;
}

/** A manifest's bytes as served, and their sha256. */
export interface FetchedManifest {
  body: Buffer;
  /** sha256 of the bytes served. */
  digest: string;
}

/** What a read of one repository needs besides its access: the deadline of the whole read. */
export interface ArtifactRead extends RepositoryAccess {
  signal: AbortSignal;
}

export function where(r: ArtifactRead, reference: string): string {
  const separator = reference.startsWith('sha256:') ? '@' : ':';
  return `${r.endpoint.registry}/${r.path}${separator}${reference}`;
}

/**
 * GETs a manifest by tag: `undefined` for a 404 whose body says MANIFEST_UNKNOWN or NAME_UNKNOWN, the
 * only answer that means "nothing there". Every other failure is a RegistryError: what cannot be read is
 * never taken for absent.
 */
export async function fetchTaggedManifest(
  r: ArtifactRead,
  tag: string,
  accept: readonly string[],
): Promise<FetchedManifest | undefined> {
  const response = await repositoryRequest(r, 'GET', `manifests/${tag}`, accept.join(', '), r.signal);
  if (response.status === 404) {
    const codes = distributionErrorCodes(response.body);
    if (codes.includes('MANIFEST_UNKNOWN') || codes.includes('NAME_UNKNOWN')) return undefined;
  }
  return checkedManifest(r, response, tag, accept);
}

/** GETs a manifest by digest: its bytes must be that digest; a 404 is a failure like any other. */
export async function fetchManifestByDigest(
  r: ArtifactRead,
  digest: string,
  accept: readonly string[],
): Promise<FetchedManifest> {
  if (!isWellFormedDigest(digest)) {
    throw malformed(r, where(r, 'referrers'), `a manifest digest ${JSON.stringify(digest)} is not a digest`);
  }
  const response = await repositoryRequest(r, 'GET', `manifests/${digest}`, accept.join(', '), r.signal);
  return checkedManifest(r, response, digest, accept);
}

/** The referrers API's index, or `undefined` when the registry has no such API (it answers 404). */
export async function fetchReferrers(
  r: ArtifactRead,
  digest: string,
  artifactType: string,
): Promise<FetchedManifest | undefined> {
  const query = `referrers/${digest}?artifactType=${encodeURIComponent(artifactType)}`;
  const response = await repositoryRequest(r, 'GET', query, OCI_INDEX, r.signal);
  if (response.status === 404) return undefined;
  checkOk(r, response, `the referrers of ${where(r, digest)}`);
  return { body: response.body, digest: sha256Digest(response.body) };
}

function checkedManifest(
  r: ArtifactRead,
  response: HttpResponse,
  reference: string,
  accept: readonly string[],
): FetchedManifest {
  const at = where(r, reference);
  checkOk(r, response, at);
  const served = servedType(response);
  if (served === undefined || !accept.includes(served)) {
    throw badResponse(
      r,
      `registry ${r.endpoint.registry} served ${at} as ${served ?? 'no media type'}, not ${accept.join(' or ')}`,
      'the tag holds something cosign did not write: check what was pushed there',
    );
  }
  const digest = sha256Digest(response.body);
  const expected = reference.startsWith('sha256:') ? reference : header(response, 'docker-content-digest');
  if (expected !== undefined && digestMatches(expected, response.body) !== true) {
    throw digestMismatch(r, `${expected} for ${at}, but the manifest it served is ${digest}`);
  }
  return { body: response.body, digest };
}

export function readImageManifest(r: ArtifactRead, manifest: FetchedManifest, at: string): ImageManifest {
  const parsed = imageManifestSchema.safeParse(readJson(manifest.body));
  if (!parsed.success) throw malformed(r, at, z.prettifyError(parsed.error));
  if (parsed.data.layers.length > MAX_LAYERS) {
    throw malformed(r, at, `it has ${parsed.data.layers.length} layers, more than the ${MAX_LAYERS} read`);
  }
  return parsed.data;
}

export function readImageIndex(r: ArtifactRead, manifest: FetchedManifest, at: string): ImageIndex {
  const parsed = imageIndexSchema.safeParse(readJson(manifest.body));
  if (!parsed.success) throw malformed(r, at, z.prettifyError(parsed.error));
  if (parsed.data.manifests.length > MAX_LAYERS) {
    throw malformed(
      r,
      at,
      `it lists ${parsed.data.manifests.length} manifests, more than the ${MAX_LAYERS} read`,
    );
  }
  return parsed.data;
}

/** The layers of `manifest` whose media type is `mediaType`, each blob fetched and checked; others ignored. */
export async function readLayers(
  r: ArtifactRead,
  manifest: ImageManifest,
  mediaType: string,
  at: string,
): Promise<ArtifactLayer[]> {
  const wanted = manifest.layers.filter((layer) => layer.mediaType === mediaType);
  for (const layer of wanted) checkDescriptor(r, layer, at);
  const digests = [...new Set(wanted.map((layer) => layer.digest))];
  const bodies = await inBatches(digests, BLOB_CONCURRENCY, (digest) => fetchBlob(r, digest, at));
  const blobs = new Map(digests.map((digest, n) => [digest, bodies[n]!]));
  return wanted.map((layer) => {
    const bytes = blobs.get(layer.digest)!;
    if (bytes.length !== layer.size) {
      throw malformed(
        r,
        at,
        `layer ${layer.digest} is stated as ${layer.size} bytes, but is ${bytes.length}`,
      );
    }
    return { mediaType: layer.mediaType, bytes: new Uint8Array(bytes), annotations: layer.annotations ?? {} };
  });
}

function checkDescriptor(r: ArtifactRead, layer: Descriptor, at: string): void {
  if (!isWellFormedDigest(layer.digest)) {
    throw malformed(r, at, `a layer's digest ${JSON.stringify(layer.digest)} is not a digest`);
  }
  if (layer.size > MAX_BLOB_BYTES) {
    throw malformed(
      r,
      at,
      `layer ${layer.digest} is ${layer.size} bytes, more than the ${MAX_BLOB_BYTES} read`,
    );
  }
}

async function fetchBlob(r: ArtifactRead, digest: string, at: string): Promise<Buffer> {
  const blobAt = `${where(r, digest)} (a layer of ${at})`;
  const response = await repositoryRequest(r, 'GET', `blobs/${digest}`, undefined, r.signal);
  checkOk(r, response, blobAt);
  if (digestMatches(digest, response.body) !== true) {
    throw digestMismatch(r, `${digest} for a layer of ${at}, but served ${sha256Digest(response.body)}`);
  }
  return response.body;
}

function checkOk(r: ArtifactRead, response: HttpResponse, at: string): void {
  const registry = r.endpoint.registry;
  if (response.status === 401) throw unauthorized(registry, 401, r.credential === undefined, at);
  if (response.status === 403) throw denied(registry, 403, at);
  if (response.status !== 200)
    throw badStatus(registry, response.status, at, distributionErrorCodes(response.body));
}

function servedType(response: HttpResponse): string | undefined {
  const declared = header(response, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== 'application/json') return declared;
  const body = readJson(response.body) as { mediaType?: unknown } | undefined;
  return typeof body?.mediaType === 'string' ? body.mediaType : undefined;
}

export const TAGGED_MANIFEST_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST] as const;

function readJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function malformed(r: ArtifactRead, at: string, reason: string): RegistryError {
  return badResponse(
    r,
    `registry ${r.endpoint.registry} served ${at}, which cannot be read: ${reason}`,
    'the manifest is damaged or was not written by cosign: sign the image again, or remove the tag',
  );
}

function badResponse(r: ArtifactRead, message: string, fix: string): RegistryError {
  return new RegistryError('REGISTRY_BAD_RESPONSE', message, fix, {
    registry: r.endpoint.registry,
    status: 200,
  });
}

function digestMismatch(r: ArtifactRead, what: string): RegistryError {
  return new RegistryError(
    'REGISTRY_DIGEST_MISMATCH',
    `registry ${r.endpoint.registry} stated digest ${what}`,
    'the registry or a proxy in front of it altered what it serves: do not trust this registry until it is explained',
    { registry: r.endpoint.registry, status: 200 },
  );
}

/** `work` over every item, at most `size` at a time, results in order. */
export async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}
