import { type ImageReference, parseImageReference, resourceUrl } from '@signet/signing';
import type { CommandContext } from './command-result.js';
import { parseDuration } from './duration.js';
import { openRegistry, type RegistryClient, type RegistryOptions } from './registry.js';
import { DEFAULT_REGISTRY_TIMEOUT } from './registry-defaults.js';

/** An image named by digest, with the forms Signet needs. */
export interface PinnedImage {
  /** What the user typed. */
  input: string;
  /** registry/path, without tag or digest: the payload's docker-reference. */
  name: string;
  digest: string;
  /** https://registry/path@sha256:HEX — the occurrence's resource URL. */
  resourceUrl: string;
  registry: string;
  path: string;
  /** The tag the registry resolved to `digest`, when `--image` named a tag and no digest. */
  resolvedTag?: string;
}

/** `--image` and the registry flags of the commands that take it. */
export interface ImageOptions extends RegistryOptions {
  image: string;
  registryTimeout?: string;
}

/**
 * `--image` pinned by digest. A digest is taken as given (the registry is not asked); a tag is resolved
 * through its registry (`@signet/registry`, the flags of `signet resolve`) and the digest it resolved to
 * is said on stderr: what is signed, attached or judged is always NAME@sha256:…, never a tag.
 */
export async function imageByDigest(
  options: ImageOptions,
  context: CommandContext,
  registryClient: () => Promise<RegistryClient> = () => openRegistry(options, context),
): Promise<PinnedImage> {
  const timeoutMs = parseDuration(options.registryTimeout ?? DEFAULT_REGISTRY_TIMEOUT, '--registry-timeout');
  const ref = parseImageReference(options.image);
  if (ref.digest) return pinnedImage(options.image, { ...ref, digest: ref.digest });
  const registry = await registryClient();
  const resolved = await registry.resolve(options.image, { signal: AbortSignal.timeout(timeoutMs) });
  context.progress(`resolved ${options.image} to ${resolved.name}@${resolved.digest}`);
  const pinned = pinnedImage(options.image, { ...ref, name: resolved.name, digest: resolved.digest });
  return { ...pinned, resolvedTag: resolved.tag ?? 'latest' };
}

function pinnedImage(input: string, ref: ImageReference & { digest: string }): PinnedImage {
  return {
    input,
    name: ref.name,
    digest: ref.digest,
    resourceUrl: resourceUrl(ref),
    registry: ref.registry,
    path: ref.path,
  };
}

/** What `--output json` says of the image a command signed or judged. */
export function imageJson(image: PinnedImage): Record<string, string> {
  return {
    input: image.input,
    pinned: `${image.name}@${image.digest}`,
    digest: image.digest,
    ...(image.resolvedTag ? { resolvedTag: image.resolvedTag } : {}),
  };
}
