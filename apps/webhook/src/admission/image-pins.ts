import { podSpecOf, REVIEWED_KINDS, type ReviewRequest } from '@signet/policy';
import { parseImageReference } from '@signet/signing';
import type { JsonPatchOperation } from './decision.js';

/** `--resolve-tags`: which objects POST /mutate pins. */
export type ResolveMode = 'pods' | 'all' | 'off';

/** The request fields that say whether POST /mutate changes an object at all. */
interface RequestShape {
  kind: string;
  operation: string;
  subResource: string | undefined;
}

const WORKLOAD_KINDS = new Set(REVIEWED_KINDS);

/**
 * Whether `mode` pins the images of this request: `pods` pins Pods (and their ephemeralcontainers
 * subresource) only, so controllers' templates, which GitOps tools compare, never change; `all` also
 * pins every workload template policy reviews. Only CREATE and UPDATE carry an object to change.
 */
export function pinsRequest(request: RequestShape, mode: ResolveMode): boolean {
  if (mode === 'off') return false;
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return false;
  const { kind, subResource } = request;
  if (subResource === 'ephemeralcontainers') return kind === 'Pod' || kind === 'EphemeralContainers';
  if (subResource !== undefined) return false;
  if (kind === 'Pod') return true;
  return mode === 'all' && WORKLOAD_KINDS.has(kind);
}

/** One place an image to pin is written in the object. */
interface PinTarget {
  image: string;
  /** RFC 6901 pointer to the image string. */
  pointer: string;
}

/** What one review asks the registries for. */
export interface PinPlan {
  /** Every place holding a tag-only image that is new or changed, in object order. */
  targets: PinTarget[];
  /** The distinct image strings to resolve, each once. */
  images: string[];
  /** The pod spec whose images these are (its imagePullSecrets are the review's credentials). */
  podSpec: unknown;
}

/**
 * The tag-only images of the request to pin. Images pinned by digest are left alone, and so are, on
 * UPDATE, images the old object already had (policy does not judge them again, and changing a running
 * container's image string would restart it). An image that does not parse is kept: resolving it
 * fails with the parser's error, a denial.
 */
export function planPins(request: ReviewRequest): PinPlan {
  const judged = new Set(request.images.toJudge);
  const targets = request.images.all
    .filter(({ image }) => judged.has(image) && !pinnedByDigest(image))
    .map(({ image, path }) => ({ image, pointer: jsonPointer(path) }));
  return {
    targets,
    images: [...new Set(targets.map((t) => t.image))],
    podSpec: podSpecOf(request.object, request.kind),
  };
}

/**
 * The JSONPatch pinning each target to its image's digest: the image as written plus `@sha256:…`
 * (`app:v1` → `app:v1@sha256:…`, `nginx` → `nginx@sha256:…`). Each `replace` follows a `test` of the
 * old value, so a patch meeting an object changed in between fails instead of overwriting the change.
 */
export function pinPatch(plan: PinPlan, digests: ReadonlyMap<string, string>): JsonPatchOperation[] {
  return plan.targets.flatMap(({ image, pointer }) => {
    const digest = digests.get(image);
    if (digest === undefined) throw new Error(`no digest resolved for ${image}`);
    return [
      { op: 'test', path: pointer, value: image },
      { op: 'replace', path: pointer, value: `${image}@${digest}` },
    ] satisfies JsonPatchOperation[];
  });
}

function pinnedByDigest(image: string): boolean {
  try {
    return parseImageReference(image).digest !== undefined;
  } catch {
    return false;
  }
}

/** `spec.containers[0].image` (policy's WorkloadImage path) → `/spec/containers/0/image`. */
export function jsonPointer(path: string): string {
  const tokens = path.split('.').flatMap((segment) => {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) throw new Error(`not a workload image path: ${path}`);
    const indexes = [...(match[2] as string).matchAll(/\[(\d+)\]/g)].map((m) => m[1] as string);
    return [match[1] as string, ...indexes].filter((token) => token !== '');
  });
  return tokens.map((token) => `/${token.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
