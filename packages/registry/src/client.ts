import {
  formatImageReference,
  type ImageReference,
  isSha256Digest,
  parseImageReference,
} from '@signet/signing';
import { Authorizations, credentialId } from './auth.js';
import { type CosignArtifacts, readCosignArtifacts } from './cosign-artifacts.js';
import { attachCosignLayer, type CosignLayerToAttach, type CosignWrite } from './cosign-push.js';
import { type CredentialProvider, credentialChain } from './credentials.js';
import { registryEndpoint } from './endpoint.js';
import {
  badStatus,
  COSIGN_DEADLINE_FIX,
  deadlinePassed,
  denied,
  distributionErrorCodes,
  unauthorized,
} from './errors-http.js';
import type { HttpResponse } from './http.js';
import {
  ACCEPT_HEADER,
  digestMatches,
  type ManifestMediaType,
  manifestMediaType,
  sha256Digest,
} from './manifest.js';
import { RegistryError } from './registry-error.js';
import { header, type RepositoryAccess, repositoryRequest } from './repository-request.js';
import { ResolutionCache } from './resolution-cache.js';

export interface RegistryClientOptions {
  /** Where credentials come from, after any given per call; none: anonymous. */
  credentials?: CredentialProvider;
  /** Extra trusted CA certificates (PEM), for registries with a private CA. */
  ca?: string | Buffer;
  /** Registries served over plain HTTP, as images name them (`host:port`). Everything else is HTTPS. */
  insecureRegistries?: Iterable<string>;
  /**
   * Per registry (as images name it), other host names whose token realm may receive its credentials.
   * Default: Docker Hub's `docker.io` → `auth.docker.io`. A realm on the registry's own host name needs none.
   */
  realmHosts?: Readonly<Record<string, readonly string[]>>;
  /** How long a tag's digest is reused. Default 30 s. */
  ttlMs?: number;
  /** How many tags' digests are kept. Default 1,000. */
  maxEntries?: number;
  /** How long one resolution may take, whoever waits for it. Default 10 s. */
  timeoutMs?: number;
  /** The clock of the caches (ms). Default `Date.now`. */
  now?: () => number;
}

interface ResolveOptions {
  /** Gives up waiting (a `REGISTRY_TIMEOUT`) when it aborts: the review's deadline. */
  signal?: AbortSignal;
  /** Asked first for this call only (a Pod's imagePullSecrets), before the client's own. */
  credentials?: CredentialProvider;
}

interface ResolvedImage {
  /** The image pinned: `NAME[:TAG]@sha256:…`, `NAME` normalised (`docker.io/library/nginx`). */
  pinned: string;
  name: string;
  tag: string | undefined;
  /** The manifest's (for a multi-arch image, the index's) sha256 digest: what the kubelet pulls. */
  digest: string;
  /** What the registry served; `undefined` for an image already pinned (nothing was asked). */
  mediaType: ManifestMediaType | undefined;
  /** True when the answer came from the cache. */
  cached: boolean;
}

const DEFAULT_REALM_HOSTS = { 'docker.io': ['auth.docker.io'] };

interface CosignReadOptions extends ResolveOptions {
  /** Where the signatures are stored, like cosign's COSIGN_REPOSITORY (`registry/path`); default: the image's. */
  repository?: string;
}

/** Resolves image tags to digests, and reads cosign's signatures, through the registry's own API. */
export interface RegistryClient {
  resolve(image: string, options?: ResolveOptions): Promise<ResolvedImage>;
  /**
   * What cosign stores for an image pinned by digest (`name@sha256:…`): its `.sig` and `.att` tags and
   * its Sigstore bundle referrers, every blob checked against its digest. Absent (`found: false`) only
   * when the registry says the tag is unknown; every other failure is a RegistryError.
   */
  readCosignArtifacts(
    image: string,
    options?: CosignReadOptions,
  ): Promise<CosignArtifacts & { cached: boolean }>;
  /**
   * Appends a signature layer to the `sha256-<hex>.sig` manifest of an image pinned by digest, as
   * `cosign sign` does (nothing is written when the identical layer is there). Asks for push rights.
   */
  attachCosignSignature(image: string, options: CosignWriteOptions): Promise<CosignWrite>;
  /** The same for an attestation layer (a DSSE envelope), in the `sha256-<hex>.att` manifest. */
  attachCosignAttestation(image: string, options: CosignWriteOptions): Promise<CosignWrite>;
}

interface CosignWriteOptions extends CosignReadOptions {
  /** The layer: a simple-signing payload and its signature annotation, or a DSSE envelope. */
  layer: CosignLayerToAttach;
}

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const now = options.now ?? Date.now;
  const insecure = new Set(options.insecureRegistries ?? []);
  const realmHosts = new Map(Object.entries(options.realmHosts ?? DEFAULT_REALM_HOSTS));
  const auth = new Authorizations({ now, realmHosts, insecureRegistries: insecure });
  const cache = new ResolutionCache<{ digest: string; mediaType: ManifestMediaType }>(
    options.ttlMs ?? 30_000,
    options.maxEntries ?? 1_000,
    now,
  );
  const cosignCache = new ResolutionCache<CosignArtifacts>(
    options.ttlMs ?? 30_000,
    options.maxEntries ?? 1_000,
    now,
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseCredentials = options.credentials ?? (() => undefined);
  const credentialFor = (ref: ImageReference, call: ResolveOptions) => {
    const provider = call.credentials ? credentialChain(call.credentials, baseCredentials) : baseCredentials;
    return provider({
      registry: ref.registry,
      path: ref.path,
      ...(call.signal ? { signal: call.signal } : {}),
    });
  };

  return {
    async resolve(image, call = {}) {
      const ref = parseImageReference(image);
      if (ref.digest !== undefined) return pinnedAlready(ref);
      const tag = ref.tag ?? 'latest';
      const endpoint = registryEndpoint(ref.registry, insecure);
      const credential = await credentialFor(ref, call);
      const key = `${ref.name}:${tag} ${credentialId(credential)}`;
      try {
        const { value, cached } = await cache.get(
          key,
          () => fetchDigest({ endpoint, path: ref.path, tag, credential, auth, ca: options.ca, timeoutMs }),
          call.signal,
        );
        const pinned = formatImageReference({ ...ref, tag, digest: value.digest });
        return { pinned, name: ref.name, tag, digest: value.digest, mediaType: value.mediaType, cached };
      } catch (error) {
        if (call.signal?.aborted && !(error instanceof RegistryError))
          throw deadlinePassed(ref.registry, `resolving ${ref.name}:${tag}`, error);
        throw error;
      }
    },

    async readCosignArtifacts(image, call = {}) {
      const { digest, store, access } = await cosignTarget(image, call, 'read');
      const key = `${store.name}@${digest} ${credentialId(access.credential)}`;
      try {
        const { value, cached } = await cosignCache.get(
          key,
          () => readCosignArtifacts(access, digest, timeoutMs),
          call.signal,
        );
        return { ...value, cached };
      } catch (error) {
        if (call.signal?.aborted && !(error instanceof RegistryError))
          throw deadlinePassed(
            store.registry,
            `reading cosign signatures of ${store.name}@${digest}`,
            error,
            COSIGN_DEADLINE_FIX,
          );
        throw error;
      }
    },

    attachCosignSignature: (image, call) => attach(image, call, 'signature'),
    attachCosignAttestation: (image, call) => attach(image, call, 'attestation'),
  };

  /**
   * Where an image's cosign artefacts live (its own repository, or `repository` as COSIGN_REPOSITORY
   * names one) and how to reach it with the credential for that repository. Only a pinned image has any.
   */
  async function cosignTarget(image: string, call: ResolveOptions & { repository?: string }, done: string) {
    const ref = parseImageReference(image);
    if (ref.digest === undefined || !isSha256Digest(ref.digest)) throw notPinned(image, done);
    const store = call.repository === undefined ? ref : signatureRepository(call.repository);
    const credential = await credentialFor(store, call);
    const access = {
      endpoint: registryEndpoint(store.registry, insecure),
      path: store.path,
      credential,
      auth,
      ca: options.ca,
    };
    return { digest: ref.digest, store, access };
  }

  async function attach(
    image: string,
    call: CosignWriteOptions,
    kind: 'signature' | 'attestation',
  ): Promise<CosignWrite> {
    const { digest, store, access } = await cosignTarget(image, call, 'written');
    const write = attachCosignLayer(access, digest, call.layer, timeoutMs, kind);
    return call.signal === undefined ? write : untilAborted(write, call.signal, store.registry, image);
  }
}

/** The write goes on to its own deadline; the caller stops waiting when its signal aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, registry: string, image: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const stop = () => reject(deadlinePassed(registry, `writing cosign's tag for ${image}`, signal.reason));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

function notPinned(image: string, done: string): RegistryError {
  return new RegistryError(
    'REGISTRY_NOT_PINNED',
    `cosign signatures are ${done} for an image pinned by digest, and ${image} is not (name@sha256:…)`,
    `resolve the image to its digest first (resolve); a signature is ${done} for a digest, never a tag`,
  );
}

/** COSIGN_REPOSITORY names a repository: `registry/path`, without a tag or digest. */
function signatureRepository(repository: string): ImageReference {
  const ref = parseImageReference(repository);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new RegistryError(
      'REGISTRY_CONFIG_INVALID',
      `the signature repository ${repository} names a tag or digest; it must be a repository (registry/path)`,
      'give the repository as COSIGN_REPOSITORY was set when signing, without a tag or digest',
      { registry: ref.registry },
    );
  }
  return ref;
}

function pinnedAlready(ref: ImageReference): ResolvedImage {
  return {
    pinned: formatImageReference(ref),
    name: ref.name,
    tag: ref.tag,
    digest: ref.digest!,
    mediaType: undefined,
    cached: false,
  };
}

interface Fetch extends RepositoryAccess {
  tag: string;
  timeoutMs: number;
}

/**
 * HEAD for the digest the registry states; GET (and hash the body) when HEAD does not say it, or fails
 * in a way whose body explains it (404: unknown tag or repository).
 */
async function fetchDigest(f: Fetch): Promise<{ digest: string; mediaType: ManifestMediaType }> {
  const signal = AbortSignal.timeout(f.timeoutMs);
  const where = `${f.endpoint.registry}/${f.path}:${f.tag}`;
  try {
    const head = await repositoryRequest(f, 'HEAD', `manifests/${f.tag}`, ACCEPT_HEADER, signal);
    const stated = header(head, 'docker-content-digest');
    const headType = manifestMediaType(header(head, 'content-type'));
    if (head.status === 200 && stated !== undefined && isSha256Digest(stated) && headType) {
      return { digest: stated, mediaType: headType };
    }
    // A refused login stays refused; anything else (a HEAD without a body) is asked again with GET.
    if (head.status === 401 || head.status === 403) return checkedDigest(f, head, where);
    const get = await repositoryRequest(f, 'GET', `manifests/${f.tag}`, ACCEPT_HEADER, signal);
    return checkedDigest(f, get, where);
  } catch (error) {
    if (signal.aborted && !(error instanceof RegistryError && error.code !== 'REGISTRY_TIMEOUT')) {
      throw deadlinePassed(f.endpoint.registry, `resolving ${where}`, error);
    }
    throw error;
  }
}

function checkedDigest(
  f: Fetch,
  response: HttpResponse,
  where: string,
): { digest: string; mediaType: ManifestMediaType } {
  const registry = f.endpoint.registry;
  if (response.status === 404) throw tagUnknown(registry, where, distributionErrorCodes(response.body));
  if (response.status === 401) throw unauthorized(registry, 401, f.credential === undefined, where);
  if (response.status === 403) throw denied(registry, 403, where);
  if (response.status !== 200)
    throw badStatus(registry, response.status, where, distributionErrorCodes(response.body));
  const mediaType = manifestMediaType(header(response, 'content-type'), response.body);
  if (mediaType === undefined) {
    throw new RegistryError(
      'REGISTRY_BAD_RESPONSE',
      `registry ${registry} served ${where} as ${header(response, 'content-type') ?? 'no content type'}, not an image index or manifest Signet accepts`,
      'push the image as an OCI or Docker v2 (schema 2) manifest; Docker schema 1 is not supported',
      { registry, status: 200 },
    );
  }
  const digest = sha256Digest(response.body);
  const stated = header(response, 'docker-content-digest');
  if (stated !== undefined && digestMatches(stated, response.body) !== true) {
    throw new RegistryError(
      'REGISTRY_DIGEST_MISMATCH',
      `registry ${registry} stated digest ${stated} for ${where}, but the manifest it served is ${digest}`,
      'the registry or a proxy in front of it altered the manifest: do not trust this registry until it is explained; pin the image by a digest you verified',
      { registry, status: 200 },
    );
  }
  return { digest, mediaType };
}

function tagUnknown(registry: string, where: string, codes: string[]): RegistryError {
  const what = codes.includes('NAME_UNKNOWN') ? 'repository' : 'tag';
  return new RegistryError(
    'REGISTRY_TAG_UNKNOWN',
    `registry ${registry} has no ${what} ${where} (HTTP 404${codes.length ? `, ${codes.join(', ')}` : ''})`,
    `check the image name and tag (is ${where} pushed?), or pin the image by digest`,
    { registry, status: 404 },
  );
}
