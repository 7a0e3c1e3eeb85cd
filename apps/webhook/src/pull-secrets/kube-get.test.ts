import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type KubeGetAnswer, KubeReadFailure, kubeGet } from './kube-get.js';

/** What the plain-HTTP API server in front of these tests answers, by path. */
type Reply = { status: number; body: string };

let server: Server;
let replies: Map<string, Reply>;
let seen: { path: string; authorization: string | undefined; accept: string | undefined }[];
let base: string;

beforeEach(async () => {
  replies = new Map();
  seen = [];
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept });
    const reply = replies.get(req.url ?? '') ?? { status: 404, body: '{"kind":"Status","code":404}' };
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
});

/** A kubeconfig for a plain-HTTP API server behind a path prefix (an API proxy), with a bearer token. */
function kubeConfig(server: string): KubeConfig {
  const kube = new KubeConfig();
  kube.loadFromOptions({
    clusters: [{ name: 'proxy', server, skipTLSVerify: true }],
    users: [{ name: 'webhook', token: 'proxy-token' }],
    contexts: [{ name: 'proxy', cluster: 'proxy', user: 'webhook' }],
    currentContext: 'proxy',
  });
  return kube;
}

const SECRET = { kind: 'Secret', namespace: 'team', name: 'regcred' } as const;
const PATH = '/k8s/clusters/c-1/api/v1/namespaces/team/secrets/regcred';
const live = () => new AbortController().signal;

async function failure(answer: Promise<KubeGetAnswer>): Promise<KubeReadFailure> {
  const error = await answer.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof KubeReadFailure))
    throw new Error(`expected a KubeReadFailure, got ${String(error)}`);
  return error;
}

describe('kubeGet', () => {
  it('GETs the object under the server URL’s own path, with the token, and reads the JSON', async () => {
    replies.set(PATH, { status: 200, body: '{"kind":"Secret","type":"Opaque"}' });
    const answer = await kubeGet(kubeConfig(`${base}/k8s/clusters/c-1/`), SECRET, live());
    expect(answer).toEqual({ status: 'found', object: { kind: 'Secret', type: 'Opaque' } });
    expect(seen).toEqual([{ path: PATH, authorization: 'Bearer proxy-token', accept: 'application/json' }]);
  });

  it('escapes names, so that a name cannot reach another path', async () => {
    await kubeGet(
      kubeConfig(base),
      { kind: 'ServiceAccount', namespace: 'team', name: '../secrets/x' },
      live(),
    );
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/namespaces/team/serviceaccounts/..%2Fsecrets%2Fx']);
  });

  it('answers 404 and 403 as values, the 403 with the API server’s message', async () => {
    replies.set(PATH, {
      status: 403,
      body: JSON.stringify({
        kind: 'Status',
        code: 403,
        reason: 'Forbidden',
        message: 'secrets "regcred" is forbidden',
      }),
    });
    const kube = kubeConfig(`${base}/k8s/clusters/c-1`);
    expect(await kubeGet(kube, SECRET, live())).toEqual({
      status: 'forbidden',
      message: 'secrets "regcred" is forbidden',
    });
    expect(await kubeGet(kube, { ...SECRET, name: 'other' }, live())).toEqual({ status: 'not-found' });
  });

  it('throws a KubeReadFailure for any other status, with the message when the body has one', async () => {
    replies.set(PATH, { status: 500, body: '{"kind":"Status","message":"etcdserver: request timed out"}' });
    const kube = kubeConfig(`${base}/k8s/clusters/c-1`);
    const error = await failure(kubeGet(kube, SECRET, live()));
    expect(error.code).toBe('PULL_SECRETS_KUBE_API_FAILED');
    expect(error.detail).toBe('HTTP 500: etcdserver: request timed out');
    expect(error.message).toBe(
      'could not read Secret team/regcred from the Kubernetes API: HTTP 500: etcdserver: request timed out',
    );
    replies.set(PATH, { status: 502, body: '<html>Bad Gateway</html>' });
    expect((await failure(kubeGet(kube, SECRET, live()))).detail).toBe('HTTP 502');
  });

  it('throws a KubeReadFailure for a 200 that is not JSON, or longer than any Secret', async () => {
    const kube = kubeConfig(`${base}/k8s/clusters/c-1`);
    replies.set(PATH, { status: 200, body: '<html>login page</html>' });
    expect((await failure(kubeGet(kube, SECRET, live()))).detail).toMatch(/JSON/);
    replies.set(PATH, { status: 200, body: `"${'x'.repeat(5 * 1024 * 1024)}"` });
    expect((await failure(kubeGet(kube, SECRET, live()))).detail).toMatch(/longer than 4194304 bytes/);
  });

  it('throws a KubeReadFailure when nothing listens, and asks nothing once the signal has aborted', async () => {
    const kube = kubeConfig(base);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect((await failure(kubeGet(kube, SECRET, live()))).detail).toMatch(/ECONNREFUSED/);
    const aborted = await failure(kubeGet(kube, SECRET, AbortSignal.abort(new Error('deadline'))));
    expect(aborted.detail).toBe('no answer in time (deadline)');
  });
});
