import { parseImageReference, resourceUrl } from '@signet/signing';
import { usageError } from './cli-error.js';

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
}

/** Parses `--image`; a tag-only reference is refused with the commands that find its digest. */
export function pinnedImage(input: string): PinnedImage {
  const ref = parseImageReference(input);
  if (!ref.digest) {
    throw usageError(
      'IMAGE_NOT_PINNED',
      `--image ${input} names a tag, not a digest: signatures and attestations are bound to a manifest digest`,
      `pin it by digest, e.g. ${ref.name}@sha256:<64 hex>; find the digest with ` +
        `\`crane digest ${input}\`, \`skopeo inspect --format '{{.Digest}}' docker://${input}\` or ` +
        `\`docker buildx imagetools inspect ${input}\``,
    );
  }
  return {
    input,
    name: ref.name,
    digest: ref.digest,
    resourceUrl: resourceUrl(ref),
    registry: ref.registry,
    path: ref.path,
  };
}
