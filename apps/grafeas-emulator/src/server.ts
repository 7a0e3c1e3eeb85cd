import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGrafeasError, SqliteMetadataStore } from '@signet/grafeas-client';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError, errorBody, type Flavor, invalid } from './api-error.js';
import { parseLenientJson } from './lenient-json.js';
import { route } from './router.js';

export type { Flavor } from './api-error.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface EmulatorAppOptions {
  store: SqliteMetadataStore;
  /** `google`: Container Analysis v1 + v1beta1. `oss`: open-source Grafeas (v1beta1 only, filters ignored…). */
  flavor?: Flavor;
  bodyLimitBytes?: number;
}

function parseBody(req: Request): unknown {
  if (req.method !== 'POST') return undefined;
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (raw.trim() === '') throw invalid('the request body is empty: a JSON object is required');
  try {
    return parseLenientJson(raw);
  } catch (error) {
    throw invalid(`malformed JSON in the request body: ${(error as Error).message}`);
  }
}

function queryOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of new URL(req.originalUrl, 'http://emulator').searchParams) out[k] = v;
  return out;
}

/** An Express app serving the store as the Grafeas REST API. The Authorization header is ignored. */
export function createEmulatorApp(options: EmulatorAppOptions): express.Express {
  const flavor = options.flavor ?? 'google';
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Every body is read as bytes and parsed here: curl's default form content type must work too.
  app.use(express.raw({ type: () => true, limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT }));

  app.use((req: Request, res: Response) => {
    if (flavor === 'oss' && !req.path.startsWith('/v1beta1/')) {
      res.status(404).type('text/plain').send('Not Found');
      return;
    }
    // `notes/?noteId=N` (Google's own curl examples) names the collection, as `notes?noteId=N` does.
    const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    const answer = route(flavor, options.store, req.method, path, {
      query: queryOf(req),
      body: parseBody(req),
    });
    res.status(200).json(answer);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const apiError = toApiError(error);
    res.status(apiError.httpStatus).json(errorBody(flavor, apiError));
  });
  return app;
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { type?: string; status?: number; limit?: number; message?: string; name?: string };
  if (e.type === 'entity.too.large') return new ApiError(3, `request body exceeds ${e.limit} bytes`, 413);
  if (isGrafeasError(error)) return new ApiError(14, e.message ?? 'storage failed', 503);
  // Another process holds the SQLite file longer than the busy timeout: worth a retry.
  if (/^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code))) {
    return new ApiError(14, `the store is busy: ${e.message}`, 503);
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ApiError(3, `bad request: ${e.message ?? e.type ?? 'unreadable body'}`, e.status);
  }
  return new ApiError(13, `internal error: ${e.message ?? String(error)}`);
}

export interface StartEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** SQLite file path or `:memory:`. Ignored when `store` is given. */
  db?: string;
  store?: SqliteMetadataStore;
  flavor?: Flavor;
  bodyLimitBytes?: number;
}

export interface RunningEmulator {
  /** http://HOST:PORT (no trailing slash). */
  url: string;
  port: number;
  store: SqliteMetadataStore;
  close(): Promise<void>;
}

/** Start the emulator; `close()` stops the server and closes a store it opened itself. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const ownStore = options.store === undefined;
  const store = options.store ?? new SqliteMetadataStore(options.db ?? ':memory:');
  const app = createEmulatorApp({
    store,
    flavor: options.flavor ?? 'google',
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(s)));
      s.once('error', reject);
    });
  } catch (error) {
    if (ownStore) await store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    store,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownStore) await store.close();
    },
  };
}
