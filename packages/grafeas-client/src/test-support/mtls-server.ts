/**
 * An open-source-Grafeas-style mTLS server for tests: a CA, a server certificate for 127.0.0.1 and
 * client certificates made with the real openssl, and an HTTPS server that requires a client
 * certificate signed by that CA (RequireAndVerifyClientCert, as OSS Grafeas with cafile/certfile/keyfile).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface MtlsServer {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** Folder holding ca.pem, client.pem/client.key (trusted) and stranger.pem/stranger.key (another CA). */
  dir: string;
  close(): Promise<void>;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 30_000 });
}

async function selfSigned(dir: string, name: string, cn: string): Promise<void> {
  await openssl(
    dir,
    'req',
    '-x509',
    ...P256,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '1',
    '-subj',
    `/CN=${cn}`,
  );
}

async function issued(dir: string, name: string, ca: string, ext?: string): Promise<void> {
  await openssl(dir, 'req', ...P256, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '1',
    ...(ext ? ['-extfile', ext] : []),
  );
}

export async function startMtlsServer(app: http.RequestListener): Promise<MtlsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'signet-mtls-'));
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await selfSigned(dir, 'ca', 'grafeas test CA');
  await issued(dir, 'server', 'ca', 'server.ext');
  await issued(dir, 'client', 'ca');
  await selfSigned(dir, 'other-ca', 'another CA');
  await issued(dir, 'stranger', 'other-ca');
  const pem = (f: string) => readFile(join(dir, f));
  const server = https.createServer(
    {
      key: await pem('server.key'),
      cert: await pem('server.pem'),
      ca: await pem('ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    app,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
