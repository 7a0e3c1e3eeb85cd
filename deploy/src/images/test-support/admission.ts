import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../guide-commands.js';
import { httpsRequest } from './admission-client.js';

export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/** What the webhook answered to one review. */
export interface AdmissionAnswer {
  allowed: boolean;
  code?: number;
  message?: string;
  /** The JSONPatch of a /mutate answer, decoded. */
  patch?: JsonPatchOperation[];
}

interface Review {
  request: {
    uid: string;
    name: string;
    namespace: string;
    object: {
      metadata: { name: string; namespace: string; uid: string; labels: Record<string, string> };
      spec: { containers: { name: string; image: string }[] };
    };
  };
}

/** What kube-apiserver 1.32 sent the webhooks for `kubectl run good --image ok/img` (testdata/admission-reviews). */
const CAPTURED_POD_CREATE = join(
  REPO_ROOT,
  'testdata',
  'admission-reviews',
  'k8s-1.32',
  '01-Pod-CREATE.json',
);

/** The captured `kubectl run` review, for `kubectl run NAME -n NAMESPACE --image IMAGE`. */
export function podCreateReview(name: string, namespace: string, image: string): Review {
  const { review } = JSON.parse(readFileSync(CAPTURED_POD_CREATE, 'utf8')) as { review: Review };
  const {
    request,
    request: { object },
  } = review;
  Object.assign(request, { uid: randomUUID(), name, namespace });
  Object.assign(object.metadata, { name, namespace, uid: randomUUID(), labels: { run: name } });
  const [container] = object.spec.containers;
  if (container === undefined || object.spec.containers.length !== 1) {
    throw new Error(`${CAPTURED_POD_CREATE}: expected a Pod with one container`);
  }
  Object.assign(container, { name, image });
  return review;
}

/** The same review with /mutate's patch applied to its object, as the API server does before /validate. */
export function patchedReview(review: Review, patch: readonly JsonPatchOperation[]): Review {
  const object = structuredClone(review.request.object) as Record<string, unknown>;
  for (const operation of patch) applyOperation(object, operation);
  return { ...review, request: { ...review.request, object: object as Review['request']['object'] } };
}

function applyOperation(object: Record<string, unknown>, operation: JsonPatchOperation): void {
  const keys = operation.path
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop() as string;
  let parent: Record<string, unknown> = object;
  for (const key of keys) parent = parent[key] as Record<string, unknown>;
  if (operation.op === 'test') {
    if (JSON.stringify(parent[last]) !== JSON.stringify(operation.value)) {
      throw new Error(`patch test failed at ${operation.path}`);
    }
  } else if (operation.op === 'replace' || operation.op === 'add') {
    parent[last] = operation.value;
  } else {
    throw new Error(`unexpected patch operation ${operation.op} at ${operation.path}`);
  }
}

interface ReviewAnswer {
  response?: {
    allowed?: boolean;
    patch?: string;
    status?: { code?: number; message?: string };
  };
}

/** POSTs `review` to `url` over HTTPS trusting only `ca`, as the API server does. */
export async function postReview(url: string, review: unknown, ca: string): Promise<AdmissionAnswer> {
  const { status, body } = await httpsRequest(url, ca, { method: 'POST', body: JSON.stringify(review) });
  if (status !== 200) throw new Error(`${url} answered HTTP ${status}: ${body}`);
  const response = (JSON.parse(body) as ReviewAnswer).response ?? {};
  return {
    allowed: response.allowed === true,
    ...(response.status?.code !== undefined ? { code: response.status.code } : {}),
    ...(response.status?.message ? { message: response.status.message } : {}),
    ...(response.patch
      ? { patch: JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonPatchOperation[] }
      : {}),
  };
}
