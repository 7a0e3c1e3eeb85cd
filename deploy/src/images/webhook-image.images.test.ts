import { chmod, chown, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  admissionResponse,
  type HttpsAnswer,
  httpsRequest,
  podReview,
  waitForOk,
} from './test-support/admission-client.js';
import { builtImage } from './test-support/built-images.js';
import { startHeldStore } from './test-support/held-store.js';
import {
  type BindMount,
  type RunningContainer,
  startContainer,
  type UnpackedImage,
  unpackImage,
} from './test-support/run-container.js';
import { makeServingCert, type ServingCert } from './test-support/serving-cert.js';
import {
  makeSignedStore,
  requireAttestationYaml,
  SIGNED_IMAGE,
  UNSIGNED_IMAGE,
} from './test-support/signer-fixture.js';

const NONROOT = { uid: 65532, gid: 65532 };
/** The Deployment's terminationGracePeriodSeconds (deploy/deployment.yaml). */
const GRACE_MS = 30_000;
/** A namespace with the GenericAttestationPolicy; any other has none (Kritis: allowed). */
const GUARDED = 'shop';
const START_LIMIT_MS = 240_000;
/** Where deploy/deployment.yaml mounts the serving certificate, and the environment it sets. */
const TLS_DIR = '/var/run/signet/tls';
const DEPLOYMENT_ENV = { NODE_OPTIONS: '--max-old-space-size=384' };

describe('the signet-webhook image, run by runc (uid 65532, read-only root)', () => {
  let image: UnpackedImage;
  let dir: string;
  let cert: ServingCert;
  let mounts: BindMount[];
  const containers: RunningContainer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-webhook-image-'));
    await chmod(dir, 0o755);
    const storeDir = join(dir, 'store');
    // The namespace of the policies is their subfolder's name.
    const policiesDir = join(dir, 'policies');
    await Promise.all([mkdir(storeDir), mkdir(join(policiesDir, GUARDED), { recursive: true })]);
    let authorityFile: string;
    [image, cert, { authorityFile }] = await Promise.all([
      unpackImage(builtImage('signet-webhook')),
      makeServingCert(dir, NONROOT),
      makeSignedStore(storeDir),
    ]);
    await rename(authorityFile, join(policiesDir, GUARDED, 'authority.yaml'));
    await writeFile(join(policiesDir, GUARDED, 'require-qa.yaml'), requireAttestationYaml());
    // The store is a volume the image's user owns (SQLite in WAL mode writes its -wal and -shm beside it).
    for (const name of await readdir(storeDir)) await chown(join(storeDir, name), NONROOT.uid, NONROOT.gid);
    await chown(storeDir, NONROOT.uid, NONROOT.gid);
    mounts = [
      { source: cert.tlsDir, destination: TLS_DIR },
      { source: policiesDir, destination: '/policies' },
      { source: storeDir, destination: '/store', writable: true },
    ];
  });
  afterEach(async () => {
    for (const container of containers.splice(0)) await container.remove();
  });
  afterAll(async () => {
    await image?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts the webhook with the image's entrypoint, TLS from /tls, policies from /policies; its base URL. */
  async function startWebhook(
    store: string,
    extra: string[] = [],
  ): Promise<{ url: string; container: RunningContainer }> {
    const container = await startContainer(image, {
      args: [
        '--policies',
        '/policies',
        '--store',
        store,
        '--tls-cert',
        `${TLS_DIR}/tls.crt`,
        '--tls-key',
        `${TLS_DIR}/tls.key`,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        ...extra,
      ],
      mounts,
      env: DEPLOYMENT_ENV,
    });
    containers.push(container);
    const [, port] = await container.waitForOutput(
      /listening on https:\/\/127\.0\.0\.1:(\d+)/,
      START_LIMIT_MS,
    );
    const url = `https://127.0.0.1:${port}`;
    await waitForOk(`${url}/healthz`, cert.caPem, START_LIMIT_MS);
    return { url, container };
  }

  const review = (url: string, uid: string, namespace: string, imageRef: string) =>
    httpsRequest(`${url}/validate?timeout=10s`, cert.caPem, {
      method: 'POST',
      body: JSON.stringify(podReview(uid, namespace, imageRef)),
    });

  it('answers /healthz over TLS and decides reviews from mounted policies and a SQLite store', async () => {
    const { url, container } = await startWebhook('sqlite:/store/metadata.db');
    const health = await httpsRequest(`${url}/healthz`, cert.caPem);
    expect(health.status).toBe(200);
    await waitForOk(`${url}/readyz`, cert.caPem, START_LIMIT_MS);

    const unguarded = admissionResponse(await review(url, 'uid-open', 'open', UNSIGNED_IMAGE));
    expect(unguarded).toMatchObject({ uid: 'uid-open', allowed: true });
    const signed = admissionResponse(await review(url, 'uid-signed', GUARDED, SIGNED_IMAGE));
    expect(signed).toMatchObject({ uid: 'uid-signed', allowed: true });
    const unsigned = admissionResponse(await review(url, 'uid-unsigned', GUARDED, UNSIGNED_IMAGE));
    expect(unsigned).toMatchObject({ uid: 'uid-unsigned', allowed: false, status: { code: 403 } });
    expect(unsigned.status?.message).toContain('registry.example/shop/cart');
    expect(container.logs().stderr).toBe('');
  });

  it('on SIGTERM to PID 1 answers the review in flight, then exits 0 within the grace period', async () => {
    const store = await startHeldStore();
    try {
      const { url, container } = await startWebhook(`grafeas:${store.url}`, ['--index', 'off']);
      let answered: HttpsAnswer | undefined;
      const inFlight = review(url, 'uid-in-flight', GUARDED, SIGNED_IMAGE).then((answer) => {
        answered = answer;
        return answer;
      });
      await withinLimit(store.firstRequest, START_LIMIT_MS, 'the review never asked the store'); // in flight now
      const termSent = Date.now();
      await container.kill('TERM');
      // Node as PID 1 has no default action for SIGTERM: only the webhook's own handler logs this and stops.
      await container.waitForOutput(/"msg":"stopping"/, GRACE_MS);
      expect(answered).toBeUndefined();
      store.release();
      const response = admissionResponse(await inFlight);
      // Decided on the store's (released) answer, not on a deadline or a closed connection.
      expect(response).toMatchObject({ uid: 'uid-in-flight', allowed: false });
      expect(response.status?.message).toContain('no attestation by AttestationAuthority qa-attestor');
      expect(await container.waitExit(GRACE_MS)).toBe(0);
      expect(Date.now() - termSent).toBeLessThan(GRACE_MS);
    } finally {
      await store.close();
    }
  });
});

function withinLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
