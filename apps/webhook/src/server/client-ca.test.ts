import { copyFile, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { generateSelfSignedCert, podReview, type SelfSignedPair } from '@signet/guide-world';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../test-support/eventually.js';
import { httpsRequest } from '../test-support/https-client.js';
import { type CertificateFiles, createCa, issueClientCert } from '../test-support/openssl-pki.js';
import { allowEverything } from '../test-support/reviews.js';
import { tempDir } from '../test-support/tmp.js';
import { loadClientCa } from './client-ca.js';
import { createWebhookServer, type WebhookServer } from './webhook-server.js';

/** `--client-ca` over real TLS: certificates made by the openssl binary, a real HTTPS server. */
describe('--client-ca: only the API server may ask', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serving: SelfSignedPair;
  let apiServerCa: CertificateFiles;
  let apiServer: CertificateFiles;
  let strangerCa: CertificateFiles;
  let stranger: CertificateFiles;
  let clientCaFile: string;
  let server: WebhookServer;

  beforeAll(async () => {
    dir = await tempDir('client-ca');
    serving = await generateSelfSignedCert(dir.path);
    apiServerCa = await createCa(dir.path, 'apiserver-client-ca');
    apiServer = await issueClientCert(dir.path, apiServerCa, 'apiserver', 'kube-apiserver');
    strangerCa = await createCa(dir.path, 'stranger-ca');
    stranger = await issueClientCert(dir.path, strangerCa, 'stranger');
    clientCaFile = join(dir.path, 'client-ca.crt');
    await copyFile(apiServerCa.certFile, clientCaFile);
    server = await createWebhookServer({
      decider: allowEverything,
      tls: { certFile: serving.certFile, keyFile: serving.keyFile },
      clientCaFile,
      port: 0,
      host: '127.0.0.1',
      logger: pino({ level: 'silent' }),
      tlsPollIntervalMs: 3_600_000,
    });
  });
  afterAll(async () => {
    await server?.close();
    await dir?.remove();
  });

  const validate = (client?: CertificateFiles, path = '/validate') =>
    httpsRequest(`${server.url}${path}?timeout=10s`, {
      method: 'POST',
      body: JSON.stringify(podReview({ name: 'p', images: ['registry.example/app:1'] })),
      ca: serving.certPem,
      ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
      // A new connection each time: the certificate is checked at the handshake.
      agent: new Agent({ keepAlive: false }),
    });

  it('decides the reviews of a caller presenting a certificate of the client CA', async () => {
    const answer = await validate(apiServer);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ kind: 'AdmissionReview', response: { allowed: true } });
  });

  it('answers 401 and no decision to a caller without a certificate, or with one of another CA', async () => {
    for (const [client, why] of [
      [undefined, 'none was presented'],
      [stranger, 'it was refused: UNABLE_TO_'],
    ] as const) {
      const answer = await validate(client);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        error: {
          code: 'CLIENT_CERT_REQUIRED',
          message: 'only the API server may ask for reviews',
          details: [expect.stringContaining(why)],
        },
      });
      expect(answer.text).not.toContain('AdmissionReview');
    }
  });

  it('guards POST /mutate the same way', async () => {
    expect((await validate(apiServer, '/mutate')).json).toMatchObject({ response: { allowed: true } });
    const refused = await validate(undefined, '/mutate');
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({
      error: { details: [expect.stringContaining('POST /mutate needs a client certificate')] },
    });
  });

  it('keeps /healthz, /readyz and /metrics open for the kubelet and Prometheus', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const answer = await httpsRequest(`${server.url}${path}`, { ca: serving.certPem });
      expect([path, answer.status]).toEqual([path, 200]);
    }
  });

  it('installs a rotated client CA for new connections, and keeps the old one when the new file is broken', async () => {
    const rotatedCa = await createCa(dir.path, 'rotated-ca');
    const rotated = await issueClientCert(dir.path, rotatedCa, 'apiserver-rotated', 'kube-apiserver');
    await writeFile(clientCaFile, 'not a certificate');
    expect(await server.reloadClientCa()).toBe(false);
    expect((await validate(apiServer)).status).toBe(200);

    await writeFile(clientCaFile, rotatedCa.certPem);
    // Whichever installs it, this call or the file watcher woken by the write, it is in use afterwards.
    await server.reloadClientCa();
    expect((await validate(rotated)).status).toBe(200);
    expect((await validate(apiServer)).status).toBe(401);
    // The serving certificate is still the same after the client CA changed.
    expect((await httpsRequest(`${server.url}/healthz`, { ca: serving.certPem })).status).toBe(200);
  });
  it('survives a reload that fails (the file gone): the CA in use stays, and the next file is installed', async () => {
    await writeFile(clientCaFile, apiServerCa.certPem);
    await server.reloadClientCa();
    expect((await validate(apiServer)).status).toBe(200);

    await rm(clientCaFile);
    expect(await server.reloadClientCa()).toBe(false);
    expect((await validate(apiServer)).status).toBe(200);

    const nextCa = await createCa(dir.path, 'next-ca');
    const nextClient = await issueClientCert(dir.path, nextCa, 'apiserver-next', 'kube-apiserver');
    await writeFile(clientCaFile, nextCa.certPem);
    // No explicit reload: the file watcher installs it.
    await eventually(
      async () => (await validate(nextClient)).status === 200,
      'the CA written after a failed reload',
    );
    expect((await validate(apiServer)).status).toBe(401);
  });
});

describe('loadClientCa', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir('client-ca-files');
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('refuses a missing file, a file without certificates, and a certificate that is not a CA', async () => {
    const ca = await createCa(dir.path, 'ca');
    const leaf = await issueClientCert(dir.path, ca, 'leaf');
    const empty = join(dir.path, 'empty.pem');
    await writeFile(empty, 'nothing here\n');
    await expect(loadClientCa(join(dir.path, 'absent.pem'))).rejects.toMatchObject({
      code: 'CLIENT_CA_INVALID',
      message: expect.stringContaining('cannot read --client-ca'),
    });
    await expect(loadClientCa(empty)).rejects.toMatchObject({
      message: expect.stringContaining('holds no PEM certificate'),
    });
    await expect(loadClientCa(leaf.certFile)).rejects.toMatchObject({
      message: expect.stringContaining('is not a CA certificate'),
    });
    expect(await loadClientCa(ca.certFile)).toContain('BEGIN CERTIFICATE');
  });

  it('is refused with --insecure-http', async () => {
    const ca = await createCa(dir.path, 'ca2');
    await expect(
      createWebhookServer({
        decider: allowEverything,
        insecureHttp: true,
        clientCaFile: ca.certFile,
        port: 0,
        host: '127.0.0.1',
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toMatchObject({ code: 'CLIENT_CA_NEEDS_TLS' });
  });
});
