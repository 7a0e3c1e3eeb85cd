import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '@signet/errors';
import type { MetadataStore, TlsOptions } from '@signet/grafeas-client';
import { backendError, usageError } from './cli-error.js';
import { readInputFile } from './files.js';
import type { GlobalOptions, StoreTlsFiles } from './global-options.js';

/**
 * Opens the metadata store named by `--store` (creating the embedded store's folder on first use). A
 * `grafeas:` server ignores filters, so each command reads a project or note there once, whole, and
 * answers every lookup from that read.
 */
async function openStore(global: GlobalOptions): Promise<MetadataStore> {
  await ensureSqliteFolder(global.store);
  const tls = await readStoreTls(global.storeTls);
  const { openMetadataStore, scanOnce } = await import('@signet/grafeas-client');
  const store = await openMetadataStore(global.store, { api: global.api, ...(tls ? { tls } : {}) });
  if (!global.store.startsWith('grafeas:')) return store;
  const progress = global.scanProgress;
  return scanOnce(
    store,
    progress &&
      ((scope, { pages, items, done }) =>
        progress(
          `reading ${'project' in scope ? `project ${scope.project}` : `note ${scope.noteName}`} from ${store.backend}: ${pages} page${pages === 1 ? '' : 's'}, ${items} occurrences`,
          done,
        )),
  );
}

/** The PEM files of --store-ca, --store-cert and --store-key, read; a missing one names its flag. */
async function readStoreTls(files: StoreTlsFiles): Promise<TlsOptions | undefined> {
  if (!files.ca && !files.cert && !files.key) return undefined;
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw usageError(
      'STORE_CLIENT_CERT_INCOMPLETE',
      `--store-${files.cert ? 'cert' : 'key'} was given without --store-${files.cert ? 'key' : 'cert'}`,
      'give the client certificate (--store-cert FILE) and its private key (--store-key FILE) together',
    );
  }
  const read = async (path: string | undefined, flag: string) =>
    path ? { [flag]: await readInputFile(path, `--store-${flag}`) } : {};
  return {
    ...(await read(files.ca, 'ca')),
    ...(await read(files.cert, 'cert')),
    ...(await read(files.key, 'key')),
  };
}

/** Runs `work` with an open store and always closes it, so the process can exit. */
export async function withStore<T>(
  global: GlobalOptions,
  work: (store: MetadataStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(global);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function ensureSqliteFolder(url: string): Promise<void> {
  if (!url.startsWith('sqlite:') || url === 'sqlite::memory:') return;
  const path = url.slice('sqlite:'.length);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    const reason = errorMessage(error);
    throw backendError(
      'STORE_FOLDER_UNAVAILABLE',
      `cannot create the folder of the embedded store ${path}: ${reason}`,
      'choose a writable location with --store sqlite:PATH (or SIGNET_STORE), or fix the folder permissions',
    );
  }
}
