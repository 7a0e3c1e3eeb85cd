import { createHash } from 'node:crypto';

/**
 * Every manifest type an image may be served as, indexes first. A registry answers only with a type the
 * client accepts: without the OCI types, distribution answers 404 for an image pushed as OCI.
 */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export type ManifestMediaType = (typeof MANIFEST_MEDIA_TYPES)[number];

export const ACCEPT_HEADER = MANIFEST_MEDIA_TYPES.join(', ');

/** The media type of a response, if it is one Signet accepts: the header's, or the body's `mediaType`. */
export function manifestMediaType(
  contentType: string | undefined,
  body?: Buffer,
): ManifestMediaType | undefined {
  const declared = contentType?.split(';')[0]?.trim().toLowerCase();
  const fromBody = body === undefined ? undefined : bodyMediaType(body);
  const found = declared && declared !== 'application/json' ? declared : fromBody;
  return MANIFEST_MEDIA_TYPES.find((type) => type === found);
}

function bodyMediaType(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: unknown };
    return typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined;
  } catch {
    return undefined;
  }
}

const DIGEST_ALGORITHMS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** `sha256:<hex>` of the bytes. */
export function sha256Digest(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** Whether a digest of any supported algorithm names these bytes; `undefined` for a malformed digest. */
export function digestMatches(digest: string, body: Buffer): boolean | undefined {
  const [algorithm, hex] = digest.split(':', 2);
  const length = algorithm === undefined ? undefined : DIGEST_ALGORITHMS[algorithm];
  if (length === undefined || hex === undefined || !new RegExp(`^[a-f0-9]{${length}}$`).test(hex))
    return undefined;
  return createHash(algorithm!).update(body).digest('hex') === hex;
}

/** `algorithm:hex` of a supported algorithm (sha256, sha384, sha512) in lower-case hex of its length. */
export function isWellFormedDigest(digest: string): boolean {
  return digestMatches(digest, Buffer.alloc(0)) !== undefined;
}
