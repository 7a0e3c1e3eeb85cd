import { join } from 'node:path';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { createEmulatorApp } from '@signet/grafeas-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MtlsServer,
  startMtlsServer,
} from '../../../packages/grafeas-client/src/test-support/mtls-server.js';
import { expectCleanError, runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Issue 11 finding 4: a Grafeas that requires client certificates was unreachable from the CLI.
let sandbox: Sandbox;
let server: MtlsServer;
const store = new SqliteMetadataStore(':memory:');

beforeAll(async () => {
  sandbox = createSandbox();
  server = await startMtlsServer(createEmulatorApp({ store, flavor: 'oss' }));
});
afterAll(async () => {
  await server?.close();
  await store.close();
  sandbox?.cleanup();
});

const file = (name: string) => join(server.dir, name);
const noteCreate = (id: string) => ['note', 'create', '--project', 'p', '--note-id', id];
const signet = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runSignet(['--store', `grafeas:${server.url}`, ...args], { ...sandbox.env, ...env });

describe('signet --store-ca / --store-cert / --store-key', () => {
  it('reaches a Grafeas that requires a client certificate, by flags or by environment', async () => {
    const flags = [
      '--store-ca',
      file('ca.pem'),
      '--store-cert',
      file('client.pem'),
      '--store-key',
      file('client.key'),
    ];
    const byFlags = await signet([...flags, ...noteCreate('by-flags')]);
    expect(byFlags.stderr).toBe('');
    expect(byFlags.code).toBe(0);
    const byEnv = await signet(noteCreate('by-env'), {
      SIGNET_STORE_CA: file('ca.pem'),
      SIGNET_STORE_CERT: file('client.pem'),
      SIGNET_STORE_KEY: file('client.key'),
    });
    expect(byEnv.code).toBe(0);
    expect((await store.listNotes('p')).items.map((n) => n.name).sort()).toEqual([
      'projects/p/notes/by-env',
      'projects/p/notes/by-flags',
    ]);
  });

  it('without a client certificate: exit 3, and the fix names --store-cert and --store-key', async () => {
    const run = await signet(['--store-ca', file('ca.pem'), ...noteCreate('refused')]);
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toMatch(/fix: .*--store-cert FILE and --store-key FILE/);
  });

  it("without the server's CA: exit 3, and the fix names --store-ca", async () => {
    const run = await signet([
      '--store-cert',
      file('client.pem'),
      '--store-key',
      file('client.key'),
      ...noteCreate('x'),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/fix: .*--store-ca FILE/);
  });

  it('refuses a missing file or a certificate without its key: exit 2 naming the flag', async () => {
    const missing = await signet(['--store-ca', file('nope.pem'), ...noteCreate('x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--store-ca');
    expectCleanError(missing);
    const half = await signet([
      '--store-ca',
      file('ca.pem'),
      '--store-cert',
      file('client.pem'),
      ...noteCreate('x'),
    ]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--store-cert was given without --store-key');
  });
});
