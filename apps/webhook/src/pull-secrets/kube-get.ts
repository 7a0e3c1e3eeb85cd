import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '@signet/errors';
import { z } from 'zod';
import { WebhookError } from '../errors.js';

/** What one GET of a namespaced object answered: the object, or the two refusals the kubelet goes on after. */
export type KubeGetAnswer =
  | { status: 'found'; object: unknown }
  | { status: 'not-found' }
  | { status: 'forbidden'; message: string | undefined };

/** The kinds of core/v1 object the pull secrets reader GETs, by the name their URL spells. */
const RESOURCES = { Secret: 'secrets', ServiceAccount: 'serviceaccounts' } as const;

/** A namespaced core/v1 object: `Secret team/regcred`. */
export interface CoreObjectName {
  kind: keyof typeof RESOURCES;
  namespace: string;
  name: string;
}

/** Larger than any Secret (1 MiB) with its metadata; a longer answer is not the object asked for. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A GET that got no usable answer: `detail` says why (`HTTP 503: …`, `no answer in time …`). */
export class KubeReadFailure extends WebhookError {
  constructor(
    readonly detail: string,
    what: string,
    cause?: unknown,
  ) {
    super(
      'PULL_SECRETS_KUBE_API_FAILED',
      `could not read ${what} from the Kubernetes API: ${detail}`,
      'check that the Kubernetes API server is reachable from the webhook pod; the read is tried again at the next review',
      cause === undefined ? undefined : { cause },
    );
  }
}

const failureStatus = z.object({ message: z.string().optional(), reason: z.string().optional() });

/**
 * GET `/api/v1/namespaces/NS/{secrets,serviceaccounts}/NAME` with the connection (server, CA, client certificate, token)
 * of `kube`, cancelled when `signal` aborts. Node's own request rather than the generated client: that
 * client (1.3.0) takes no AbortSignal, and a read the reader gives up on must not stay open.
 * 404 and 403 are answers; anything else (another status, a timeout, a connection failure, a body
 * that is not JSON) throws a KubeReadFailure (`PULL_SECRETS_KUBE_API_FAILED`).
 */
export async function kubeGet(
  kube: KubeConfig,
  target: CoreObjectName,
  signal: AbortSignal,
): Promise<KubeGetAnswer> {
  const what = `${target.kind} ${target.namespace}/${target.name}`;
  try {
    const { status, body } = await send(kube, urlOf(kube, target), signal);
    if (status === 200) return { status: 'found', object: JSON.parse(body) as unknown };
    const failure = failureStatus.catch({}).parse(parseOrUndefined(body));
    if (status === 404) return { status: 'not-found' };
    if (status === 403) return { status: 'forbidden', message: failure.message };
    throw apiFailed(what, `HTTP ${status}${failure.message ? `: ${failure.message}` : ''}`);
  } catch (error) {
    if (error instanceof KubeReadFailure) throw error;
    const detail = signal.aborted
      ? `no answer in time (${errorMessage(signal.reason)})`
      : errorMessage(error);
    throw apiFailed(what, detail, error);
  }
}

function urlOf(kube: KubeConfig, target: CoreObjectName): URL {
  const server = kube.getCurrentCluster()?.server;
  if (!server) throw apiFailed(target.kind, 'the kubeconfig names no cluster server');
  const namespace = encodeURIComponent(target.namespace);
  const path = `/api/v1/namespaces/${namespace}/${RESOURCES[target.kind]}/${encodeURIComponent(target.name)}`;
  // A server URL may carry a path of its own (an API proxy's prefix): the object's path goes after it.
  return new URL(`${server.replace(/\/+$/, '')}${path}`);
}

async function send(
  kube: KubeConfig,
  url: URL,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  const options: https.RequestOptions = {};
  await kube.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  const request = url.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ...options, method: 'GET', headers: { ...options.headers, accept: 'application/json' }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES)
            req.destroy(new Error(`the answer is longer than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function parseOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function apiFailed(what: string, detail: string, cause?: unknown): KubeReadFailure {
  return new KubeReadFailure(detail, what, cause);
}
