import { type BreakglassState, findBreakglass } from './breakglass.js';
import { describeResource, isRecord } from './parse.js';
import { findMalformedWorkload, REVIEWED_KINDS, type RequestImages, requestImages } from './workload.js';

/**
 * The parts of an AdmissionReview request the decision reads, read once: the webhook keys its memo
 * on exactly these fields and hands the same object to the decision, so the two cannot disagree.
 */
export interface ReviewRequest {
  kind: string;
  operation: string;
  subResource: string | undefined;
  /** `request.namespace`: the namespace whose policies apply (empty only for requests not reviewed). */
  namespace: string;
  /** `Kind namespace/name` for messages. */
  target: string;
  object: unknown;
  oldObject: unknown;
  images: RequestImages;
  breakglass: BreakglassState;
}

/** A request Signet cannot read: denied as a bad request (400), never admitted. */
export interface MalformedRequest {
  problem: string;
  /** `Kind namespace/name` as far as it could be read. */
  target: string;
}

export type RequestReading = { ok: true; request: ReviewRequest } | ({ ok: false } & MalformedRequest);

const REVIEWED_OPERATIONS = new Set(['CREATE', 'UPDATE']);
/** Every kind Signet reviews is namespaced: its policies are those of `request.namespace`. */
const NAMESPACED_KINDS = new Set([...REVIEWED_KINDS, 'EphemeralContainers']);

/**
 * Reads the request defensively. The namespace is `request.namespace` alone — the API server always
 * sets it for a namespaced kind — never guessed from the object, so a request that names none cannot
 * borrow another namespace's policies (or its memoised admissions).
 */
export function readReviewRequest(request: unknown): RequestReading {
  if (!isRecord(request)) return malformed('the admission request is not an object', 'the request');
  const object = request.object;
  const objectKind = isRecord(object) && typeof object.kind === 'string' ? object.kind : undefined;
  const kind =
    isRecord(request.kind) && typeof request.kind.kind === 'string' ? request.kind.kind : objectKind;
  if (!kind) return malformed('the admission request names no kind', 'the request');
  const contradiction = kindContradiction(kind, request);
  if (contradiction) return malformed(contradiction, kind);
  if (typeof request.operation !== 'string')
    return malformed('the admission request names no operation', kind);
  const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
  const namespace = stringOr(request.namespace, '');
  const name = stringOr(request.name, stringOr(metadata.name, `${stringOr(metadata.generateName, '')}*`));
  const target = describeResource(kind, { name, namespace });
  const reading = {
    kind,
    operation: request.operation,
    subResource:
      typeof request.subResource === 'string' && request.subResource ? request.subResource : undefined,
    namespace,
    target,
    object,
    oldObject: request.oldObject,
  };
  if (!REVIEWED_OPERATIONS.has(reading.operation)) {
    return { ok: true, request: withImages(reading, NO_IMAGES, NO_BREAKGLASS) };
  }
  const problem = objectProblem(reading);
  if (problem) return malformed(problem, target);
  const images = requestImages(reading);
  const scopeProblem = namespaceProblem(reading, images);
  if (scopeProblem) return malformed(scopeProblem, target);
  return { ok: true, request: withImages(reading, images, findBreakglass(object, kind)) };
}

/**
 * Field by field, not `{ ...reading, images, breakglass }`: V8 copies a spread followed by more
 * properties through its slow path, ~5 µs per review here, most of this function's cost on the
 * webhook's warm path (bench:validate's profile).
 */
function withImages(
  reading: RequestFields,
  images: RequestImages,
  breakglass: BreakglassState,
): ReviewRequest {
  return {
    kind: reading.kind,
    operation: reading.operation,
    subResource: reading.subResource,
    namespace: reading.namespace,
    target: reading.target,
    object: reading.object,
    oldObject: reading.oldObject,
    images,
    breakglass,
  };
}

/**
 * `request.kind` against the kinds the objects carry: the API server sends them equal, and a decision
 * must not rest on a contradiction (judged by either kind alone it would be a guess). An object
 * without `kind` is read by `request.kind`, as before.
 */
function kindContradiction(kind: string, request: Record<string, unknown>): string | undefined {
  for (const field of ['object', 'oldObject'] as const) {
    const value = request[field];
    if (!isRecord(value) || value.kind === undefined) continue;
    if (typeof value.kind !== 'string') {
      return `${field}.kind is ${describeType(value.kind)}, not the kind name ${kind}`;
    }
    if (value.kind !== kind) {
      return `the review contradicts itself: request.kind is ${kind} but ${field}.kind is ${value.kind}`;
    }
  }
  return undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

type RequestFields = Omit<ReviewRequest, 'images' | 'breakglass'>;

/** What makes the object of a CREATE or UPDATE unreadable, if anything. */
function objectProblem({ object, kind, operation }: RequestFields): string | undefined {
  if (!isRecord(object)) {
    const what =
      object === null
        ? 'a null object'
        : object === undefined
          ? 'no object'
          : 'an object that is not a JSON object';
    return `the ${operation} request carries ${what} to review`;
  }
  const workload = findMalformedWorkload(object, kind);
  return workload ? `the ${kind} is malformed: ${workload}` : undefined;
}

/**
 * A namespaced kind must name its namespace. (The object's own `metadata.namespace` is not read: the API
 * server refuses one that differs from the request's before admission, and the decision never uses it.)
 */
function namespaceProblem({ kind, namespace }: RequestFields, images: RequestImages): string | undefined {
  if (namespace === '' && (NAMESPACED_KINDS.has(kind) || images.all.length > 0)) {
    return `the request for a namespaced ${kind} names no namespace (request.namespace is empty)`;
  }
  return undefined;
}

const NO_IMAGES: RequestImages = { all: [], toJudge: [], unchanged: [] };
const NO_BREAKGLASS: BreakglassState = { requested: false, missingFromTemplate: false };

function malformed(problem: string, target: string): RequestReading {
  return { ok: false, problem, target };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
