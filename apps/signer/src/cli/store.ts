import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '@signet/errors';
import type { MetadataStore } from '@signet/grafeas-client';
import { backendError } from './cli-error.js';
import type { GlobalOptions } from './global-options.js';

/** Opens the metadata store named by `--store` (creating the embedded store's folder on first use). */
export async function openStore(global: GlobalOptions): Promise<MetadataStore> {
  await ensureSqliteFolder(global.store);
  const { openMetadataStore } = await import('@signet/grafeas-client');
  return openMetadataStore(global.store, { api: global.api });
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
