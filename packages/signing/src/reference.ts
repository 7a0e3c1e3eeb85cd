import { SigningError } from './signing-error.js';

/*
 * Docker/OCI image references, after the grammar of github.com/distribution/reference
 * (reference.go, regexp.go, normalize.go). Hand-written because the npm ports (e.g.
 * @swimlane/docker-reference) still use the superseded separator `[-]*`, which lets a regex
 * backtrack exponentially on crafted names, accept upper-case digest hex and know no IPv6
 * registries; and a parser written step by step can say *why* a reference is invalid.
 *
 * Digests: sha256, sha384 and sha512 (the algorithms go-digest registers) are accepted, in
 * lower-case hex of the exact length. Only sha256 counts as "pinned" for Signet, because
 * registries, Grafeas resource URLs and simple-signing payloads all name images by sha256.
 */

export interface ImageReference {
  registry: string;
  path: string;
  /** registry + '/' + path, normalised */
  name: string;
  tag?: string;
  digest?: string;
}

const NAME_MAX_LENGTH = 255;
/** Longest input worth looking at: a maximal name, tag and sha512 digest, with room to spare. */
const INPUT_MAX_LENGTH = 1024;
const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** True for `sha256:` followed by 64 lower-case hex digits: the only digest that pins an image here. */
export function isSha256Digest(value: string): boolean {
  return typeof value === 'string' && SHA256_DIGEST.test(value);
}

/**
 * Parses and normalises a reference the way `docker pull` reads it: no registry means
 * `docker.io`, `index.docker.io` is `docker.io`, and a one-component Docker Hub path gets
 * `library/`. Throws REFERENCE_INVALID with the reason.
 */
export function parseImageReference(input: string): ImageReference {
  if (typeof input !== 'string') throw invalid(String(input), 'it is not a string');
  checkWhole(input);
  const at = input.indexOf('@');
  const nameAndTag = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? undefined : input.slice(at + 1);
  if (digest !== undefined) checkDigest(input, digest);

  const tagColon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
  const repository = tagColon < 0 ? nameAndTag : nameAndTag.slice(0, tagColon);
  const tag = tagColon < 0 ? undefined : nameAndTag.slice(tagColon + 1);
  if (tag !== undefined) checkTag(input, tag);

  const { registry, path } = splitRegistry(input, repository);
  checkPath(input, path);
  const name = `${registry}/${path}`;
  if (name.length > NAME_MAX_LENGTH) {
    throw invalid(
      input,
      `the repository name is ${name.length} characters long (at most ${NAME_MAX_LENGTH})`,
    );
  }
  return {
    registry,
    path,
    name,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** `name[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.name}${tag}${digest}`;
}

/** The Grafeas resource URL of an image: `https://NAME@sha256:HEX` (never a tag). */
export function resourceUrl(ref: ImageReference): string {
  if (ref.digest === undefined || !isSha256Digest(ref.digest)) {
    const found = ref.digest === undefined ? 'no digest' : `digest ${ref.digest}, not sha256`;
    throw new SigningError(
      'REFERENCE_NOT_PINNED',
      `image ${formatImageReference(ref)} is not pinned by a sha256 digest (${found})`,
      `name the image by digest, NAME@sha256:<64 hex>; get it with \`docker buildx imagetools inspect ${ref.name}:TAG\` or \`crane digest ${ref.name}:TAG\``,
    );
  }
  return `https://${ref.name}@${ref.digest}`;
}

/** Reads a Grafeas resource URL (`https://NAME@DIGEST`; the `https://` is optional). */
export function parseResourceUrl(url: string): ImageReference {
  if (typeof url !== 'string') throw invalid(String(url), 'it is not a string');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
  if (scheme !== undefined && scheme !== 'https') {
    throw invalid(url, `resource URLs use https://, not ${scheme}://`);
  }
  const ref = parseImageReference(scheme === undefined ? url : url.slice('https://'.length));
  if (ref.tag !== undefined)
    throw invalid(url, 'a resource URL names an image by digest only, without a tag');
  if (ref.digest === undefined) throw invalid(url, 'a resource URL must end with @DIGEST');
  return ref;
}

function checkWhole(input: string): void {
  if (input === '') throw invalid(input, 'it is empty');
  if (input.length > INPUT_MAX_LENGTH)
    throw invalid(input, `it is longer than ${INPUT_MAX_LENGTH} characters`);
  if (/\s/.test(input)) throw invalid(input, 'it contains whitespace');
  if (IMAGE_ID.test(input)) {
    throw invalid(input, 'a 64-character hex string is an image ID, not a repository name');
  }
}

function splitRegistry(input: string, repository: string): { registry: string; path: string } {
  const slash = repository.indexOf('/');
  const first = slash < 0 ? '' : repository.slice(0, slash);
  // distribution's rule: the first component is a registry only if it looks like a host.
  const isHost = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  if (!isHost) return officialRepository(DEFAULT_REGISTRY, repository);
  checkRegistry(input, first);
  const registry = first === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : first;
  return officialRepository(registry, repository.slice(slash + 1));
}

function officialRepository(registry: string, path: string): { registry: string; path: string } {
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) {
    return { registry, path: `${OFFICIAL_REPOSITORY_PREFIX}${path}` };
  }
  return { registry, path };
}

function checkRegistry(input: string, registry: string): void {
  const portColon = registry.startsWith('[')
    ? registry.indexOf(':', registry.indexOf(']'))
    : registry.indexOf(':');
  const host = portColon < 0 ? registry : registry.slice(0, portColon);
  const port = portColon < 0 ? undefined : registry.slice(portColon + 1);
  if (!DOMAIN_NAME.test(host) && !IPV6_HOST.test(host)) {
    throw invalid(input, `registry host ${JSON.stringify(host)} is not a valid host name or [IPv6] address`);
  }
  if (port !== undefined && !PORT.test(port)) {
    throw invalid(input, `registry port ${JSON.stringify(port)} is not a number`);
  }
}

function checkPath(input: string, path: string): void {
  for (const component of path.split('/')) {
    if (component === '')
      throw invalid(input, "the path has an empty component (a leading, trailing or doubled '/')");
    if (PATH_COMPONENT.test(component)) continue;
    if (component === '.' || component === '..') {
      throw invalid(input, `path component ${JSON.stringify(component)} is not allowed`);
    }
    if (component.toLowerCase() !== component && PATH_COMPONENT.test(component.toLowerCase())) {
      throw invalid(input, 'the repository name must be lower-case');
    }
    throw invalid(
      input,
      `path component ${JSON.stringify(component)} must be lower-case letters and digits separated by '.', '_', '__' or '-'`,
    );
  }
}

function checkTag(input: string, tag: string): void {
  if (tag === '') throw invalid(input, "the tag after ':' is empty");
  if (tag.length > 128) throw invalid(input, `the tag is ${tag.length} characters long (at most 128)`);
  if (!TAG.test(tag)) {
    throw invalid(
      input,
      `tag ${JSON.stringify(tag)} must be letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }
}

function checkDigest(input: string, digest: string): void {
  if (!DIGEST.test(digest)) {
    throw invalid(input, `digest ${JSON.stringify(digest)} is not ALGORITHM:HEX (at least 32 hex digits)`);
  }
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
  if (length === undefined) {
    throw invalid(
      input,
      `digest algorithm ${JSON.stringify(algorithm)} is not supported (sha256, sha384, sha512)`,
    );
  }
  if (hex.length !== length) {
    throw invalid(input, `a ${algorithm} digest has ${length} hex digits, this one has ${hex.length}`);
  }
  if (hex.toLowerCase() !== hex) throw invalid(input, 'the digest hex must be lower-case');
}

function invalid(input: string, reason: string): SigningError {
  const shown = input.length > 120 ? `${input.slice(0, 120)}…` : input;
  return new SigningError(
    'REFERENCE_INVALID',
    `invalid image reference ${JSON.stringify(shown)}: ${reason}`,
    'write it as [REGISTRY[:PORT]/]PATH[:TAG][@sha256:DIGEST] in lower case, e.g. gcr.io/my-project/app@sha256:<64 hex>',
  );
}
