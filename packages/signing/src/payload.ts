import { errorMessage } from '@signet/errors';
import { z } from 'zod';
import { type ImageReference, isSha256Digest, parseImageReference } from './reference.js';
import { SigningError } from './signing-error.js';
import { parseStrictJson, StrictJsonError } from './strict-json.js';

/** Simple-signing payloads: what an attestation's signature covers (grafeas-api.md §8.1, §8.2). */

export const PAYLOAD_TYPES = [
  'atomic container signature',
  'Google cloud binauthz container signature',
] as const;
type PayloadType = (typeof PAYLOAD_TYPES)[number];

export interface SimpleSigningPayload {
  type: PayloadType;
  dockerReference: string;
  manifestDigest: string;
  optional?: Record<string, unknown>;
}

/** Far above any real payload (a few hundred bytes); keeps a hostile blob from costing much. */
const MAX_PAYLOAD_BYTES = 64 * 1024;

const payloadSchema = z.strictObject({
  critical: z.strictObject({
    type: z.enum(PAYLOAD_TYPES),
    image: z.strictObject({ 'docker-manifest-digest': z.string() }),
    identity: z.strictObject({ 'docker-reference': z.string() }),
  }),
  optional: z
    .looseObject({ creator: z.string().optional(), timestamp: z.number().int().optional() })
    .optional(),
});

/**
 * The containers/image "atomic container signature" payload, which podman/CRI-O (the strictest
 * readers: they require both `critical` and `optional`) and Kritis/Binary Authorization accept.
 * Exact bytes: compact JSON, keys sorted, UTF-8, no trailing newline:
 *
 *   {"critical":{"identity":{"docker-reference":NAME},"image":{"docker-manifest-digest":DIGEST},
 *   "type":"atomic container signature"},"optional":{"creator":CREATOR,"timestamp":SECONDS}}
 *
 * (one line). NAME is the normalised repository (`busybox` → `docker.io/library/busybox`), without
 * tag or digest. `optional` holds only the options given, in that order: `{}` when none.
 */
export function buildPayload(
  image: { name: string; digest: string },
  options: { creator?: string; timestamp?: number } = {},
): Uint8Array {
  const repository = repositoryOf(image.name);
  assertSha256Digest(
    'image',
    image.digest,
    'pass the manifest digest as the registry reports it, e.g. from `crane digest IMAGE:TAG`',
  );
  const optional: Record<string, string | number> = {};
  if (options.creator !== undefined) {
    if (typeof options.creator !== 'string') throw optionInvalid('creator must be a string');
    optional.creator = options.creator;
  }
  if (options.timestamp !== undefined) {
    if (!Number.isSafeInteger(options.timestamp) || options.timestamp < 0) {
      throw optionInvalid(`timestamp must be whole seconds since the epoch, got ${options.timestamp}`);
    }
    optional.timestamp = options.timestamp;
  }
  const document = {
    critical: {
      identity: { 'docker-reference': repository },
      image: { 'docker-manifest-digest': image.digest },
      type: 'atomic container signature',
    },
    optional,
  };
  return new TextEncoder().encode(JSON.stringify(document));
}

/** `signet`: the containers/image form above. `gcloud`: the bytes `gcloud container binauthz` signs. */
const PAYLOAD_FORMS = ['signet', 'gcloud'] as const;
export type PayloadForm = (typeof PAYLOAD_FORMS)[number];

/**
 * The payload `gcloud container binauthz create-signature-payload` prints and `sign-and-create` signs,
 * byte for byte: Python's `json.dumps(sort_keys=True, indent=2, separators=(',', ': '),
 * ensure_ascii=True)` plus a trailing newline, with type "Google cloud binauthz container signature"
 * and no `optional`. NAME is the normalised repository, without scheme, tag or digest.
 */
export function buildGcloudPayload(image: { name: string; digest: string }): Uint8Array {
  const repository = repositoryOf(image.name);
  assertSha256Digest('image', image.digest, 'pass the manifest digest as the registry reports it');
  const document = {
    critical: {
      identity: { 'docker-reference': repository },
      image: { 'docker-manifest-digest': image.digest },
      type: 'Google cloud binauthz container signature',
    },
  };
  const text = JSON.stringify(document, null, 2).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return new TextEncoder().encode(`${text}\n`);
}

/** The payload of the given form (see buildPayload and buildGcloudPayload). */
export function buildPayloadOfForm(image: { name: string; digest: string }, form: PayloadForm): Uint8Array {
  return form === 'gcloud' ? buildGcloudPayload(image) : buildPayload(image);
}

/** Reads a payload strictly. Call it only on bytes whose signature has been verified. */
export function parsePayload(bytes: Uint8Array): SimpleSigningPayload {
  if (!(bytes instanceof Uint8Array)) throw payloadInvalid('it is not bytes');
  if (bytes.length > MAX_PAYLOAD_BYTES) throw payloadInvalid(`it is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw payloadInvalid('it is not valid UTF-8');
  }
  let document: unknown;
  try {
    document = parseStrictJson(text);
  } catch (error) {
    if (error instanceof StrictJsonError) throw payloadInvalid(`it is not valid JSON: ${error.message}`);
    throw error;
  }
  const result = payloadSchema.safeParse(document);
  if (!result.success) throw payloadInvalid(describeIssues(result.error.issues));
  const { critical } = result.data;
  // Taken from the strict reader's result, not zod's copy, which silently drops a `__proto__` key.
  const optional = (document as { optional?: Record<string, unknown> }).optional;
  return {
    type: critical.type,
    dockerReference: critical.identity['docker-reference'],
    manifestDigest: critical.image['docker-manifest-digest'],
    ...(optional === undefined ? {} : { optional }),
  };
}

/**
 * Throws unless the payload names exactly this digest and the same repository (both sides
 * normalised, tag and digest stripped): a signature for another image is never replayed.
 */
export function checkPayloadIdentity(
  payload: SimpleSigningPayload,
  expected: { name: string; digest: string },
): void {
  let signed: ImageReference;
  try {
    signed = parseImageReference(payload.dockerReference);
  } catch (error) {
    throw payloadInvalid(`its docker-reference is not a valid image reference (${errorMessage(error)})`);
  }
  const wanted = parseImageReference(expected.name);
  assertSha256Digest('expected', expected.digest, 'check the image by its sha256 manifest digest');
  if (payload.manifestDigest !== expected.digest) {
    throw new SigningError(
      'PAYLOAD_DIGEST_MISMATCH',
      `the signed payload is for digest ${payload.manifestDigest}, not ${expected.digest}`,
      `sign this image digest: \`signet sign --image ${wanted.name}@${expected.digest} --note projects/P/notes/N\``,
    );
  }
  if (signed.name !== wanted.name) {
    throw new SigningError(
      'PAYLOAD_REPOSITORY_MISMATCH',
      `the signed payload names repository ${signed.name}, not ${wanted.name}`,
      `sign the image under the repository it is deployed from: \`signet sign --image ${wanted.name}@${expected.digest} --note projects/P/notes/N\``,
    );
  }
}

function repositoryOf(name: string): string {
  const ref = parseImageReference(name);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new SigningError(
      'REFERENCE_INVALID',
      `${JSON.stringify(name)} is not a bare repository name: the payload names the repository without tag or digest`,
      `pass the repository only, e.g. ${ref.name}, and the digest separately`,
    );
  }
  return ref.name;
}

function assertSha256Digest(role: 'image' | 'expected', digest: string, fix: string): void {
  if (isSha256Digest(digest)) return;
  throw new SigningError(
    'DIGEST_INVALID',
    `${role} digest ${JSON.stringify(String(digest))} is not sha256:<64 lower-case hex>`,
    fix,
  );
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'top level'}: ${issue.message}`)
    .join('; ');
}

function payloadInvalid(reason: string): SigningError {
  return new SigningError(
    'PAYLOAD_INVALID',
    `invalid simple-signing payload: ${reason}`,
    'sign a payload made by `signet sign` (or gcloud / containers/image); this one cannot be trusted as it is',
  );
}

function optionInvalid(reason: string): SigningError {
  return new SigningError(
    'PAYLOAD_OPTION_INVALID',
    `invalid payload option: ${reason}`,
    'fix the value passed to the signer',
  );
}
