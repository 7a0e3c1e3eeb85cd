import { copyFile, mkdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { Agent } from 'node:https';
import { generateSelfSignedCert, type SelfSignedPair } from '@signet/guide-world';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsMaterial, type TlsSource } from '../certs/tls.js';
import { WebhookError } from '../errors.js';
import { eventually } from '../test-support/eventually.js';
import { httpsRequest } from '../test-support/https-client.js';
import { allowEverything } from '../test-support/reviews.js';
import { tempDir } from '../test-support/tmp.js';
import { createWebhookServer, type WebhookServer } from './webhook-server.js';

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await eventually(check, what);
}

function serveTls(tls: TlsSource): Promise<WebhookServer> {
  return createWebhookServer({
    decider: allowEverything,
    tls,
    port: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
  });
}

describe('serving certificate reload', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let first: SelfSignedPair;
  let second: SelfSignedPair;
  let live: { certFile: string; keyFile: string };
  let server: WebhookServer;

  beforeAll(async () => {
    dir = await tempDir('tls');
    first = await generateSelfSignedCert(dir.path, { name: 'first' });
    second = await generateSelfSignedCert(dir.path, { name: 'second' });
    live = { certFile: `${dir.path}/tls.crt`, keyFile: `${dir.path}/tls.key` };
    await copyFile(first.certFile, live.certFile);
    await copyFile(first.keyFile, live.keyFile);
    server = await serveTls(live);
  });
  afterAll(async () => {
    await server.close();
    await dir.remove();
  });

  it('serves the new pair to new connections when the files change, without dropping open ones', async () => {
    const bothCas = `${first.certPem}\n${second.certPem}`;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await httpsRequest(`${server.url}/healthz`, { ca: bothCas, agent: keepAlive });
    expect(before.status).toBe(200);
    const firstFingerprint = before.fingerprint;

    await copyFile(second.keyFile, live.keyFile);
    await copyFile(second.certFile, live.certFile);
    await waitFor(async () => {
      const fresh = await httpsRequest(`${server.url}/healthz`, {
        ca: bothCas,
        agent: new Agent({ keepAlive: false }),
      });
      return fresh.fingerprint !== firstFingerprint;
    }, 'the new certificate');

    // The kept-alive connection still answers, on the session it opened with the old certificate.
    const again = await httpsRequest(`${server.url}/healthz`, { ca: bothCas, agent: keepAlive });
    expect(again.status).toBe(200);
    expect(again.fingerprint).toBe(firstFingerprint);
    keepAlive.destroy();

    // A client trusting only the new certificate connects.
    expect((await httpsRequest(`${server.url}/healthz`, { ca: second.certPem })).status).toBe(200);
    const metrics = await httpsRequest(`${server.url}/metrics`, { ca: second.certPem });
    expect(metrics.text).toMatch(/signet_tls_reloads_total\{result="reloaded"\} [1-9]/);
  });

  it('follows a Kubernetes Secret volume update (the ..data symlink swapped atomically)', async () => {
    const mount = `${dir.path}/mount`;
    await mkdir(`${mount}/..v1`, { recursive: true });
    await copyFile(first.certFile, `${mount}/..v1/tls.crt`);
    await copyFile(first.keyFile, `${mount}/..v1/tls.key`);
    await symlink('..v1', `${mount}/..data`);
    await symlink('..data/tls.crt', `${mount}/tls.crt`);
    await symlink('..data/tls.key', `${mount}/tls.key`);
    const mounted = await serveTls({ certFile: `${mount}/tls.crt`, keyFile: `${mount}/tls.key` });
    try {
      expect((await httpsRequest(`${mounted.url}/healthz`, { ca: first.certPem })).status).toBe(200);
      await mkdir(`${mount}/..v2`);
      await copyFile(second.certFile, `${mount}/..v2/tls.crt`);
      await copyFile(second.keyFile, `${mount}/..v2/tls.key`);
      await symlink('..v2', `${mount}/..data_tmp`);
      await rename(`${mount}/..data_tmp`, `${mount}/..data`);
      await waitFor(async () => {
        const fresh = await httpsRequest(`${mounted.url}/healthz`, { ca: second.certPem }).catch(
          () => undefined,
        );
        return fresh?.status === 200;
      }, 'the certificate from the swapped Secret volume');
    } finally {
      await mounted.close();
    }
  });

  it('keeps the current pair when the new files do not match', async () => {
    await copyFile(first.keyFile, live.keyFile); // key of the first, certificate of the second
    expect(await server.reloadTls()).toBe(false);
    expect((await httpsRequest(`${server.url}/healthz`, { ca: second.certPem })).status).toBe(200);
    await copyFile(second.keyFile, live.keyFile);
  });

  it('counts a reload that fails (the key file gone), keeps the pair in use, and serves the next change', async () => {
    const servesFirst = await httpsRequest(`${server.url}/healthz`, { ca: first.certPem }).then(
      (answer) => answer.status === 200,
      () => false,
    );
    const next = servesFirst ? second : first;
    await rm(live.keyFile);
    expect(await server.reloadTls()).toBe(false);
    const metrics = await httpsRequest(`${server.url}/metrics`, {
      ca: `${first.certPem}\n${second.certPem}`,
    });
    expect(metrics.text).toMatch(/signet_tls_reloads_total\{result="failed"\} [1-9]/);

    await copyFile(next.keyFile, live.keyFile);
    await copyFile(next.certFile, live.certFile);
    await waitFor(async () => {
      const fresh = await httpsRequest(`${server.url}/healthz`, { ca: next.certPem }).catch(() => undefined);
      return fresh?.status === 200;
    }, 'the certificate written after a failed reload');
  });

  it('serves PEM text given directly, and replaceTls swaps it unless the new pair does not match', async () => {
    const pem = async (pair: SelfSignedPair) => ({
      cert: pair.certPem,
      key: await readFile(pair.keyFile, 'utf8'),
    });
    const fromPem = await serveTls(await pem(first));
    try {
      expect((await httpsRequest(`${fromPem.url}/healthz`, { ca: first.certPem })).status).toBe(200);
      const mismatched = { cert: second.certPem, key: (await pem(first)).key };
      expect(() => fromPem.replaceTls(mismatched)).toThrow(
        expect.objectContaining({ code: 'TLS_PEM_INVALID' }),
      );
      expect((await httpsRequest(`${fromPem.url}/healthz`, { ca: first.certPem })).status).toBe(200);
      fromPem.replaceTls(await pem(second));
      expect((await httpsRequest(`${fromPem.url}/healthz`, { ca: second.certPem })).status).toBe(200);
      expect(await fromPem.reloadTls()).toBe(false);
    } finally {
      await fromPem.close();
    }
  });

  it('refuses to start with unreadable or mismatched files, with typed errors', async () => {
    await expect(
      loadTlsMaterial({ certFile: `${dir.path}/nope.crt`, keyFile: live.keyFile }),
    ).rejects.toMatchObject({
      code: 'TLS_FILES_UNREADABLE',
    });
    const mismatch = loadTlsMaterial({ certFile: first.certFile, keyFile: second.keyFile });
    await expect(mismatch).rejects.toBeInstanceOf(WebhookError);
    await expect(mismatch).rejects.toMatchObject({ code: 'TLS_FILES_INVALID' });
  });
});
