import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openMetadataStore } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MtlsServer,
  startMtlsServer,
} from '../../../packages/grafeas-client/src/test-support/mtls-server.js';
import { createEmulatorApp } from './server.js';

let server: MtlsServer;
let base: string;
const pem: Record<string, string> = {};
const store = new SqliteMetadataStore(':memory:');

beforeAll(async () => {
  // OSS Grafeas with cafile/certfile/keyfile set: mandatory client certificates.
  server = await startMtlsServer(createEmulatorApp({ store, flavor: 'oss' }));
  base = `grafeas:${server.url}`;
  for (const f of ['ca.pem', 'client.pem', 'client.key', 'other-ca.pem']) {
    pem[f] = await readFile(join(server.dir, f), 'utf8');
  }
});

afterAll(async () => {
  await server?.close();
  await store.close();
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
      tls: { ca: pem['other-ca.pem'], cert: pem['client.pem'], key: pem['client.key'] },
    });
    const error = await client.listNotes('p').catch((e: unknown) => e);
    await client.close();
    expect(error).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE' });
    expect((error as Error).message).toMatch(
      /^TLS with https:\/\/127\.0\.0\.1:\d+ failed: (SELF_SIGNED|UNABLE_TO_VERIFY)/,
    );
    expect((error as { fix: string }).fix).toContain('--store-ca');
  });
});

describe('containeranalysis:https:// (googleapis) with a CA and a client certificate', () => {
  it('reaches a server that requires them, and is refused without the client certificate', async () => {
    const google = await startMtlsServer(createEmulatorApp({ store, flavor: 'google' }));
    const url = `containeranalysis:${google.url}`;
    const own = (f: string) => readFile(join(google.dir, f), 'utf8');
    const ca = await own('ca.pem');
    const tls = { ca, cert: await own('client.pem'), key: await own('client.key') };
    const withCert = await openMetadataStore(url, { ...options, api: 'v1', credentials: 'none', tls });
    const withoutCert = await openMetadataStore(url, {
      ...options,
      api: 'v1',
      credentials: 'none',
      tls: { ca },
    });
    try {
      await withCert.createNote('g', 'qa', { kind: 'ATTESTATION', humanReadableName: 'QA' });
      expect((await withCert.getNote('projects/g/notes/qa')).kind).toBe('ATTESTATION');
      const refused = await withoutCert.listNotes('g').catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE' });
      expect((refused as { fix: string }).fix).toContain('--store-cert');
    } finally {
      await withCert.close();
      await withoutCert.close();
      await google.close();
    }
  });
});
