import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openMetadataStore, SqliteMetadataStore } from '@signet/grafeas-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorApp } from './server.js';

const run = promisify(execFile);
let dir: string;
let server: https.Server;
let base: string;
const pem: Record<string, string> = {};
const store = new SqliteMetadataStore(':memory:');

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function selfSignedCa(name: string, cn: string): Promise<void> {
  await openssl(
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

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with real openssl. */
async function makePki(): Promise<void> {
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await selfSignedCa('ca', 'grafeas test CA');
  for (const name of ['server', 'client']) {
    await openssl('req', ...P256, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      ...(name === 'server' ? ['-extfile', 'server.ext'] : []),
    );
  }
  await selfSignedCa('other', 'other CA');
  for (const f of ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key', 'other.pem']) {
    pem[f] = await readFile(join(dir, f), 'utf8');
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signet-mtls-'));
  await makePki();
  // OSS Grafeas with cafile/certfile/keyfile set: mandatory client certificates.
  server = https.createServer(
    {
      key: pem['server.key'],
      cert: pem['server.pem'],
      ca: pem['ca.pem'],
      requestCert: true,
      rejectUnauthorized: true,
    },
    createEmulatorApp({ store, flavor: 'oss' }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `grafeas:https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const options = { timeoutMs: 10_000, retry: { attempts: 1 } };

describe('grafeas:https:// with client certificates (OSS mTLS mode)', () => {
  it('works with the client certificate, key and CA', async () => {
    const client = await openMetadataStore(base, {
      ...options,
      tls: { ca: pem['ca.pem'], cert: pem['client.pem'], key: pem['client.key'] },
    });
    try {
      await client.createNote('p', 'qa', { kind: 'ATTESTATION', humanReadableName: 'QA' });
      expect((await client.getNote('projects/p/notes/qa')).kind).toBe('ATTESTATION');
    } finally {
      await client.close();
    }
  });

  it('is refused without a client certificate: GRAFEAS_UNAVAILABLE', async () => {
    const client = await openMetadataStore(base, { ...options, tls: { ca: pem['ca.pem'] } });
    const error = await client.listNotes('p').catch((e: unknown) => e);
    await client.close();
    expect(error).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE' });
  });

  it('does not trust a server certificate from another CA', async () => {
    const client = await openMetadataStore(base, {
      ...options,
      tls: { ca: pem['other.pem'], cert: pem['client.pem'], key: pem['client.key'] },
    });
    const error = await client.listNotes('p').catch((e: unknown) => e);
    await client.close();
    expect(error).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE' });
    expect((error as Error).message).toMatch(
      /^TLS with https:\/\/127\.0\.0\.1:\d+ failed: (SELF_SIGNED|UNABLE_TO_VERIFY)/,
    );
    expect((error as { fix: string }).fix).toContain('TLS settings');
  });
});
