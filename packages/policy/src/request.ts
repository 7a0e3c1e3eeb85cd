import { describeResource, isRecord } from './parse.js';

/** The parts of an AdmissionReview request the decision reads. */
export interface ReviewRequest {
  kind: string;
  operation: string;
  subResource: string | undefined;
  namespace: string;
  /** `Kind namespace/name` for messages. */
  target: string;
  object: unknown;
  oldObject: unknown;
}

/** Reads the request defensively; a string says why it cannot be reviewed. */
export function readReviewRequest(request: unknown): ReviewRequest | string {
  if (!isRecord(request)) return 'the admission request is not an object';
  const object = request.object;
  const objectKind = isRecord(object) && typeof object.kind === 'string' ? object.kind : undefined;
  const kind =
    isRecord(request.kind) && typeof request.kind.kind === 'string' ? request.kind.kind : objectKind;
  if (!kind) return 'the admission request names no kind';
  if (typeof request.operation !== 'string') return 'the admission request names no operation';
  const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
  const namespace = stringOr(request.namespace, stringOr(metadata.namespace, ''));
  const name = stringOr(request.name, stringOr(metadata.name, `${stringOr(metadata.generateName, '')}*`));
  return {
    kind,
    operation: request.operation,
    subResource:
      typeof request.subResource === 'string' && request.subResource ? request.subResource : undefined,
    namespace,
    target: describeResource(kind, { name, namespace }),
    object,
    oldObject: request.oldObject,
  };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
