import { readFile } from 'node:fs/promises';
import {
  type ApiVersion,
  type CallOptions,
  type ImageBatchReads,
  type MetadataStore,
  openMetadataStore,
  type PerImage,
  type TlsOptions,
} from '@signet/grafeas-client';
import type { OccurrenceReader } from '@signet/policy';
import type { Logger } from 'pino';
import { WebhookError } from '../errors.js';
import { type FileReloader, watchAndReload } from '../watch-files.js';

/** `--store-ca`, `--store-cert`, `--store-key`: PEM files for an https store. */
export interface StoreTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

const FLAGS = { ca: '--store-ca', cert: '--store-cert', key: '--store-key' } as const;
/** How long a replaced store stays open for the calls still running on it. */
const RETIRE_AFTER_MS = 120_000;

async function readTlsFiles(files: StoreTlsFiles): Promise<TlsOptions> {
  const out: TlsOptions = {};
  for (const part of ['ca', 'cert', 'key'] as const) {
    const path = files[part];
    if (!path) continue;
    try {
      out[part] = await readFile(path);
    } catch (error) {
      throw new WebhookError(
        'STORE_TLS_FILE_UNREADABLE',
        `cannot read ${FLAGS[part]} ${path} (${(error as Error).message})`,
        `give ${FLAGS[part]} a readable PEM file (in a cluster: mount the Secret, see deploy/README)`,
        { cause: error },
      );
    }
  }
  return out;
}

function fingerprintOf(tls: TlsOptions): string {
  return [tls.ca, tls.cert, tls.key]
    .map((part) => (part ? Buffer.from(part).toString('base64') : ''))
    .join(':');
}

/**
 * A store whose CA and client certificate files are watched: when they change (a rotated Secret), the
 * store is opened again with the new files and takes the next calls; the old one closes a little later.
 */
export class ReloadingStore implements OccurrenceReader {
  private reloader: FileReloader | undefined;
  private readonly retired = new Set<MetadataStore>();

  private constructor(private current: MetadataStore) {}

  static async open(
    url: string,
    options: { api: ApiVersion; files: StoreTlsFiles; logger?: Logger; pollIntervalMs?: number },
  ): Promise<ReloadingStore> {
    const open = (tls: TlsOptions) => openMetadataStore(url, { api: options.api, tls });
    const tls = await readTlsFiles(options.files);
    const store = new ReloadingStore(await open(tls));
    const { logger } = options;
    store.reloader = watchAndReload({
      files: Object.values(options.files).filter((p): p is string => Boolean(p)),
      initialKey: fingerprintOf(tls),
      load: () => readTlsFiles(options.files),
      keyOf: fingerprintOf,
      install: async (next) => store.takeOver(await open(next)),
      report: (result, error) => {
        if (result === 'reloaded')
          logger?.info({ backend: store.backend }, 'store CA or client certificate reloaded');
        if (result === 'failed') logger?.warn({ err: error }, 'store CA or client certificate not reloaded');
      },
      pollIntervalMs: options.pollIntervalMs ?? 30_000,
    });
    return store;
  }

  get backend(): string {
    return this.current.backend;
  }

  listNoteOccurrences(
    ...args: Parameters<MetadataStore['listNoteOccurrences']>
  ): ReturnType<MetadataStore['listNoteOccurrences']> {
    return this.current.listNoteOccurrences(...args);
  }

  listImageOccurrences(
    ...args: Parameters<MetadataStore['listImageOccurrences']>
  ): ReturnType<MetadataStore['listImageOccurrences']> {
    return this.current.listImageOccurrences(...args);
  }

  /** The current store's batched read; one read per image (concurrent) for a store without one. */
  listImageOccurrencesOfImages(
    project: string,
    resourceUrls: readonly string[],
    options?: CallOptions,
  ): ReturnType<ImageBatchReads['listImageOccurrencesOfImages']> {
    const store = this.current;
    if (hasBatchReads(store)) return store.listImageOccurrencesOfImages(project, resourceUrls, options);
    return eachImage(resourceUrls, (url) => store.listImageOccurrences(project, url, options));
  }

  listNoteOccurrencesOfImages(
    noteName: string,
    resourceUrls: readonly string[],
    options?: CallOptions,
  ): ReturnType<ImageBatchReads['listNoteOccurrencesOfImages']> {
    const store = this.current;
    if (hasBatchReads(store)) return store.listNoteOccurrencesOfImages(noteName, resourceUrls, options);
    return eachImage(resourceUrls, (url) => store.listNoteOccurrences(noteName, url, options));
  }

  visitOccurrences(
    ...args: Parameters<MetadataStore['visitOccurrences']>
  ): ReturnType<MetadataStore['visitOccurrences']> {
    return this.current.visitOccurrences(...args);
  }

  filterSupport(
    ...args: Parameters<MetadataStore['filterSupport']>
  ): ReturnType<MetadataStore['filterSupport']> {
    return this.current.filterSupport(...args);
  }

  /** Re-reads the files now; resolves true when a store with new files took over. */
  reload(): Promise<boolean> {
    return this.reloader?.reload() ?? Promise.resolve(false);
  }

  async close(): Promise<void> {
    this.reloader?.close();
    for (const store of [...this.retired, this.current]) await store.close();
    this.retired.clear();
  }

  private takeOver(next: MetadataStore): void {
    this.retire(this.current);
    this.current = next;
  }

  private retire(store: MetadataStore): void {
    this.retired.add(store);
    const timer = setTimeout(() => {
      this.retired.delete(store);
      void store.close();
    }, RETIRE_AFTER_MS);
    timer.unref();
  }
}

function hasBatchReads(store: MetadataStore): store is MetadataStore & ImageBatchReads {
  return 'listImageOccurrencesOfImages' in store && 'listNoteOccurrencesOfImages' in store;
}

async function eachImage<T>(
  resourceUrls: readonly string[],
  read: (url: string) => Promise<T>,
): Promise<Map<string, PerImage<T>>> {
  const answers = await Promise.all(
    resourceUrls.map(
      async (url): Promise<[string, PerImage<T>]> => [
        url,
        await read(url).then(
          (value): PerImage<T> => ({ ok: true, value }),
          (error: unknown): PerImage<T> => ({ ok: false, error }),
        ),
      ],
    ),
  );
  return new Map(answers);
}
