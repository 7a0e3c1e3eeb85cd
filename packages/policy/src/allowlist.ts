import { type ImageReference, parseImageReference } from '@signet/signing';

/**
 * Allowlist patterns with Binary Authorization semantics, matched against the image's normalised
 * reference (`registry/path[:tag][@digest]`, Docker Hub names as `docker.io/library/…`):
 * - no wildcard: the same repository; a tag or digest in the pattern must also be the image's;
 * - trailing `*`: the prefix, then anything within the same path segment;
 * - trailing `**`: the prefix, then anything at any depth.
 * A wildcard needs a literal registry before it (schema-enforced), so `*` can never admit a
 * different registry. The image must already have parsed as a valid reference, so path tricks such
 * as `gcr.io/p/../x` never reach here.
 */
export function matchesAllowlistPattern(pattern: string, image: ImageReference): boolean {
  if (pattern.endsWith('**')) return matchesPrefix(pattern.slice(0, -2), image, true);
  if (pattern.endsWith('*')) return matchesPrefix(pattern.slice(0, -1), image, false);
  return matchesExactly(pattern, image);
}

/** The first pattern that admits the image, if any. */
export function findAllowlistMatch(patterns: readonly string[], image: ImageReference): string | undefined {
  return patterns.find((pattern) => matchesAllowlistPattern(pattern, image));
}

/** `name[:tag][@digest]` of a parsed reference. */
export function canonicalImage(image: ImageReference): string {
  return `${image.name}${image.tag === undefined ? '' : `:${image.tag}`}${image.digest === undefined ? '' : `@${image.digest}`}`;
}

function matchesPrefix(prefix: string, image: ImageReference, anyDepth: boolean): boolean {
  if (!prefix.includes('/')) return false; // a wildcard in the registry host would admit any registry
  const full = canonicalImage(image);
  if (!full.startsWith(prefix)) return false;
  const rest = full.slice(prefix.length);
  return anyDepth || !rest.includes('/');
}

function matchesExactly(pattern: string, image: ImageReference): boolean {
  let wanted: ImageReference;
  try {
    wanted = parseImageReference(pattern);
  } catch {
    return false; // the schema refuses such patterns; an unreadable one admits nothing
  }
  if (wanted.name !== image.name) return false;
  if (wanted.tag !== undefined && wanted.tag !== image.tag) return false;
  if (wanted.digest !== undefined && wanted.digest !== image.digest) return false;
  return true;
}
