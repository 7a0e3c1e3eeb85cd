import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { createEmulatorApp } from '@signet/grafeas-emulator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MtlsServer,
  startMtlsServer,
} from '../../../../packages/grafeas-client/src/test-support/mtls-server.js';
import { ReloadingStore } from './reloading-store.js';

// Issue 11 finding 4: the webhook reaches an mTLS store, and picks up a rotated client certificate.
let server: MtlsServer;
let mounted: string;
const backing = new SqliteMetadataStore(':memory:');
const IMAGE = `https://gcr.io/p/app@sha256:${'a'.repeat(64)}`;

beforeAll(async () => {
  server = await startMtlsServer(createEmulatorApp({ store: backing, flavor: 'oss' }));
  mounted = await mkdtemp(join(tmpdir(), 'signet-store-tls-'));
  await backing.createNote('p', 'qa', { kind: 'ATTESTATION' });
});
afterAll(async () => {
  await server?.close();
  await backing.close();
  await rm(mounted, { recursive: true, force: true });
});

/** What the mounted Secret holds: the CA, and the named client certificate and key. */
async function mount(client: 'client' | 'stranger'): Promise<void> {
  await copyFile(join(server.dir, 'ca.pem'), join(mounted, 'ca.crt'));
  await copyFile(join(server.dir, `${client}.pem`), join(mounted, 'tls.crt'));
  await copyFile(join(server.dir, `${client}.key`), join(mounted, 'tls.key'));
}

describe('ReloadingStore (--store-ca, --store-cert, --store-key in the webhook)', () => {
  it('uses the mounted files, and a rotated client certificate after reload', async () => {
    await mount('stranger');
    const store = await ReloadingStore.open(`grafeas:${server.url}`, {
      api: 'v1beta1',
      files: { ca: join(mounted, 'ca.crt'), cert: join(mounted, 'tls.crt'), key: join(mounted, 'tls.key') },
      pollIntervalMs: 3_600_000,
    });
    try {
      const refused = await store.listNoteOccurrences('projects/p/notes/qa', IMAGE).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE' });
      expect((refused as { fix: string }).fix).toContain('--store-cert');
      expect(await store.reload()).toBe(false);
      await mount('client');
      // Whichever takes the new files over, this call or the watcher woken by the copies, it is done after it.
      await store.reload();
      expect(await store.listNoteOccurrences('projects/p/notes/qa', IMAGE)).toEqual({
        items: [],
        skipped: [],
      });
    } finally {
      await store.close();
    }
  });

  it('logs a reload that fails (the key file gone), keeps the store in use, and takes the next files', async () => {
    await mount('client');
    const warnings: { msg: string; err?: { code?: string } }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const store = await ReloadingStore.open(`grafeas:${server.url}`, {
      api: 'v1beta1',
      files: { ca: join(mounted, 'ca.crt'), cert: join(mounted, 'tls.crt'), key: join(mounted, 'tls.key') },
      logger,
      pollIntervalMs: 3_600_000,
    });
    try {
      await rm(join(mounted, 'tls.key'));
      expect(await store.reload()).toBe(false);
      expect(warnings.at(-1)).toMatchObject({ msg: 'store CA or client certificate not reloaded' });
      expect(await store.listNoteOccurrences('projects/p/notes/qa', IMAGE)).toEqual({
        items: [],
        skipped: [],
      });

      await mount('stranger');
      // Whichever takes the new files over, this call or the watcher woken by the copies, it is done after it.
      await store.reload();
      const refused = await store.listNoteOccurrences('projects/p/notes/qa', IMAGE).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });

  it('names the flag of a file it cannot read', async () => {
    const failure = await ReloadingStore.open(`grafeas:${server.url}`, {
      api: 'v1beta1',
      files: { ca: join(mounted, 'missing.crt') },
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'STORE_TLS_FILE_UNREADABLE' });
    expect((failure as Error).message).toContain('--store-ca');
  });
});
