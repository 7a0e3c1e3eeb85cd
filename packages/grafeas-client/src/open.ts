import { debuglog } from 'node:util';
import { GrafeasError, localGrafeasError } from './errors.js';
import type { ApiVersion } from './model.js';
import { defaultCredentials, GOOGLE_ROOT_URL, GoogleapisTransport } from './rest/googleapis-transport.js';
import { HttpTransport, type TlsOptions } from './rest/http-transport.js';
import { DEFAULT_PAGING_LIMITS, type PagingLimits } from './rest/paging.js';
import { RestMetadataStore, type RestStoreOptions } from './rest/rest-store.js';
import { DEFAULT_RETRY, type RetryPolicy } from './rest/retry.js';
import { SqliteMetadataStore } from './sqlite/sqlite-store.js';
import type { MetadataStore } from './store.js';
import { mapperFor } from './wire/index.js';

export interface OpenStoreOptions {
  /** Wire version for containeranalysis (default v1); grafeas: is v1beta1 only. */
  api?: ApiVersion;
  /** Deadline of one call when the caller passes no signal (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** List page size, at most 1000 (default 1000). */
  pageSize?: number;
  /** containeranalysis: `adc` (Application Default Credentials) or `none`; default none for loopback. */
  credentials?: 'adc' | 'none';
  /** https stores: the CA to trust, and the client certificate and key a server in mTLS mode requires. */
  tls?: TlsOptions;
  /** Where debug lines go (e.g. a DELETE that answered 5xx and then 404); default NODE_DEBUG=signet. */
  debug?: (line: string) => void;
  /** Hard bounds of one listing (default 5,000 pages, 1,000,000 occurrences). */
  paging?: Partial<PagingLimits>;
}

const STORE_URL_FORMS =
  'sqlite:PATH | sqlite::memory: | containeranalysis[:ROOT_URL] | grafeas:http(s)://HOST:PORT';

function badUrl(url: string, why: string) {
  return localGrafeasError(
    'GRAFEAS_BAD_STORE_URL',
    url,
    `metadata store "${url}": ${why} (forms: ${STORE_URL_FORMS})`,
  );
}

/** The server's root URL, its path prefix kept (`http://host/prefix/`), always ending in `/`. */
function httpUrl(url: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw badUrl(url, `"${raw}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw badUrl(url, 'the URL must be http(s)');
  if (parsed.search || parsed.hash) throw badUrl(url, 'the URL must not have a query or fragment');
  return `${parsed.origin}${parsed.pathname.replace(/\/*$/, '')}/`;
}

function ossNeedsV1beta1(url: string): GrafeasError {
  const e = localGrafeasError(
    'GRAFEAS_BAD_STORE_URL',
    url,
    `metadata store "${url}": open-source Grafeas serves v1beta1 only, not v1`,
  );
  return new GrafeasError(e.code, e.message, e, {
    fix: 'use --api v1beta1 (or leave --api unset) with a grafeas: store',
  });
}

/** Page size of a whole note's read on open-source Grafeas (see RestStoreOptions.notePageSize). */
const OSS_NOTE_PAGE_SIZE = 10_000;

function restOptions(options: OpenStoreOptions, assumedFilters: 'applied' | 'ignored'): RestStoreOptions {
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 1000)));
  return {
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    pageSize,
    // Google caps every page at 1000; an explicit pageSize (tests, small pages) applies to notes too.
    notePageSize:
      assumedFilters === 'ignored' && options.pageSize === undefined ? OSS_NOTE_PAGE_SIZE : pageSize,
    debug: options.debug ?? debuglog('signet'),
    paging: { ...DEFAULT_PAGING_LIMITS, ...options.paging },
    assumedFilters,
  };
}

/**
 * Open the store a URL-like setting names. Nothing heavy is loaded until a store needs it
 * (googleapis and google-auth-library load on the first containeranalysis call).
 */
export async function openMetadataStore(url: string, options: OpenStoreOptions = {}): Promise<MetadataStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path) throw badUrl(url, 'the SQLite path is empty');
    if (options.tls && (options.tls.ca || options.tls.cert || options.tls.key)) {
      throw badUrl(url, 'a CA, client certificate or key applies only to an https store');
    }
    return new SqliteMetadataStore(path);
  }
  if (url === 'containeranalysis' || url.startsWith('containeranalysis:')) {
    const rootUrl =
      url === 'containeranalysis' ? GOOGLE_ROOT_URL : httpUrl(url, url.slice('containeranalysis:'.length));
    const version = options.api ?? 'v1';
    const transport = new GoogleapisTransport({
      version,
      rootUrl,
      credentials: options.credentials ?? defaultCredentials(rootUrl),
      ...(options.tls ? { tls: options.tls } : {}),
    });
    return new RestMetadataStore(transport, mapperFor(version), restOptions(options, 'applied'));
  }
  if (url.startsWith('grafeas:')) {
    if (options.api === 'v1') throw ossNeedsV1beta1(url);
    const base = httpUrl(url, url.slice('grafeas:'.length));
    const transport = new HttpTransport(base, 'v1beta1', options.tls);
    return new RestMetadataStore(transport, mapperFor('v1beta1'), restOptions(options, 'ignored'));
  }
  throw badUrl(url, 'unknown kind of store');
}
