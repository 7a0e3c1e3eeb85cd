import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGrafeasError } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError, errorBody, type Flavor, invalid } from './api-error.js';
import { routeGoogle } from './google/routes.js';
import { parseLenientJson } from './lenient-json.js';
import { uncleanPathRedirect } from './oss/clean-path.js';
import { parseGoJson } from './oss/go-json.js';
import type { OssContext } from './oss/handlers.js';
import { PlainTextAnswer, routeOss } from './oss/routes.js';

const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** grpc-gateway reads any body; the gRPC server behind it refuses messages over 4 MiB (a 429). */
const OSS_BODY_LIMIT = 64 * 1024 * 1024;

export interface EmulatorAppOptions {
  store: SqliteMetadataStore;
  /** `google`: Container Analysis v1 + v1beta1. `oss`: open-source Grafeas v0.1.0, quirks included. */
  flavor?: Flavor;
  bodyLimitBytes?: number;
}

function rawBody(req: Request): string {
  return Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
}

function googleBody(req: Request): unknown {
  if (req.method !== 'POST' && req.method !== 'PATCH') return undefined;
  const raw = rawBody(req);
  if (raw.trim() === '') throw invalid('the request body is empty: a JSON object is required');
  try {
    return parseLenientJson(raw);
  } catch (error) {
    throw invalid(`malformed JSON in the request body: ${(error as Error).message}`);
  }
}

/** grpc-gateway's exact Content-Type, without the charset Express would add. */
function sendGatewayJson(res: Response, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

/** grpc-gateway: no body is `{}`; malformed JSON is a 400 in Go's words. */
function ossBody(req: Request): unknown {
  if (req.method !== 'POST' && req.method !== 'PATCH') return {};
  const parsed = parseGoJson(rawBody(req));
  if (!parsed.ok) throw invalid(parsed.error);
  return parsed.value;
}

/** A parameter given twice: grpc-gateway (OSS) takes the first value; the Google flavour the last. */
function queryOf(req: Request, first = false): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of new URL(req.originalUrl, 'http://emulator').searchParams) {
    if (!first || !Object.hasOwn(out, k)) out[k] = v;
  }
  return out;
}

/** Go's ServeMux in front of v0.1.0's gateway: a 301 for a path with `//`, `.` or `..`. */
function redirectedUncleanPath(req: Request, res: Response): boolean {
  const at = req.originalUrl.indexOf('?');
  const redirect = uncleanPathRedirect(req.method, req.path, at < 0 ? '' : req.originalUrl.slice(at + 1));
  if (!redirect) return false;
  res.statusCode = 301;
  res.setHeader('Location', redirect.location);
  if (redirect.contentType) res.setHeader('Content-Type', redirect.contentType);
  res.end(redirect.body);
  return true;
}

/** An Express app serving the store as the Grafeas REST API. The Authorization header is ignored. */
export function createEmulatorApp(options: EmulatorAppOptions): express.Express {
  const flavor = options.flavor ?? 'google';
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const defaultLimit = flavor === 'oss' ? OSS_BODY_LIMIT : DEFAULT_BODY_LIMIT;
  // Every body is read as bytes and parsed here: curl's default form content type must work too.
  app.use(express.raw({ type: () => true, limit: options.bodyLimitBytes ?? defaultLimit }));
  const oss: OssContext = { records: options.store.records, projects: new Set() };

  app.use((req: Request, res: Response) => {
    if (flavor === 'oss') {
      if (redirectedUncleanPath(req, res)) return;
      const answer = routeOss(oss, req.method, req.path, { query: queryOf(req, true), body: ossBody(req) });
      sendGatewayJson(res, 200, answer);
      return;
    }
    // `notes/?noteId=N` (Google's own curl examples) names the collection, as `notes?noteId=N` does.
    const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    const answer = routeGoogle(options.store.records, req.method, path, {
      query: queryOf(req),
      body: googleBody(req),
    });
    res.status(200).json(answer);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof PlainTextAnswer) {
      res.statusCode = error.status;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(error.text);
      return;
    }
    const apiError = toApiError(error);
    if (flavor === 'oss') sendGatewayJson(res, apiError.httpStatus, errorBody(flavor, apiError));
    else res.status(apiError.httpStatus).json(errorBody(flavor, apiError));
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
