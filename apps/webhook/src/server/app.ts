import type { TLSSocket } from 'node:tls';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AdmissionReviewResponse } from '../admission/admission-response.js';
import type { ParsedReview } from '../admission/review.js';
import { parseAdmissionReview } from '../admission/review.js';
import type { WebhookMetrics } from '../monitoring/metrics.js';
import type { Readiness } from '../monitoring/readiness.js';

export interface AppOptions {
  handleReview: (review: ParsedReview, timeoutParam: unknown) => Promise<AdmissionReviewResponse>;
  /** POST /mutate: the same review, answered with a JSONPatch pinning tags (see mutate-decider.ts). */
  handleMutation: (review: ParsedReview, timeoutParam: unknown) => Promise<AdmissionReviewResponse>;
  readiness: () => Readiness;
  metrics: WebhookMetrics;
  bodyLimitBytes: number;
  /** `--client-ca`: POST /validate and /mutate need a client certificate the server's CA bundle verifies. */
  requireClientCert?: boolean;
}

/** The API server caps request bodies at 3 MiB; a review is the object plus a little envelope. */
export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024 + 64 * 1024;

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  const parseSeconds = options.metrics.stageSeconds.labels({ stage: 'parse' });
  const reviewRoute = (path: string, handle: AppOptions['handleReview']) =>
    app.post(
      path,
      (req: Request, res: Response, next: NextFunction) => {
        if (!options.requireClientCert) return next();
        const socket = req.socket as TLSSocket;
        if (socket.authorized) return next();
        const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
        const why = presented ? `it was refused: ${String(socket.authorizationError)}` : 'none was presented';
        sendError(res, 401, 'CLIENT_CERT_REQUIRED', 'only the API server may ask for reviews', [
          `POST ${path} needs a client certificate signed by the --client-ca bundle (${why})`,
        ]);
      },
      express.json({ limit: options.bodyLimitBytes, type: () => true, strict: true }),
      async (req: Request, res: Response) => {
        const parseStarted = performance.now();
        const parsed = parseAdmissionReview(req.body);
        parseSeconds.observe((performance.now() - parseStarted) / 1000);
        if (!parsed.ok) {
          sendError(res, 400, 'MALFORMED_REVIEW', 'the body is not an AdmissionReview', parsed.problems);
          return;
        }
        sendJson(res, 200, await handle(parsed.review, timeoutParam(req.url)));
      },
    );
  reviewRoute('/validate', options.handleReview);
  reviewRoute('/mutate', options.handleMutation);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const readiness = options.readiness();
    res.status(readiness.ready ? 200 : 503).json({
      ready: readiness.ready,
      reasons: readiness.reasons,
      ...(readiness.warming ? { warming: readiness.warming } : {}),
    });
  });

  app.get('/metrics', async (_req, res) => {
    res.set('content-type', options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });

  app.use((req, res) => {
    sendError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`, [
      'POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics',
    ]);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, type, message } = describeBodyError(error);
    if (status === 413) {
      sendError(res, 413, 'BODY_TOO_LARGE', `the body is larger than ${options.bodyLimitBytes} bytes`, []);
    } else if (status >= 400 && status < 500) {
      sendError(res, 400, 'MALFORMED_REVIEW', `the body is not JSON (${type}: ${message})`, []);
    } else {
      sendError(res, 500, 'INTERNAL_ERROR', 'the webhook failed to handle the request', []);
    }
  });
  return app;
}

/** `?timeout=5s` as the API server appends it; read from the raw URL (cheaper than a full query parse). */
function timeoutParam(url: string): string | undefined {
  const match = /[?&]timeout=([^&]*)/.exec(url);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    return undefined;
  }
}

function describeBodyError(error: unknown): { status: number; type: string; message: string } {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const status = typeof record.status === 'number' ? record.status : 500;
  const type = typeof record.type === 'string' ? record.type : 'error';
  const message = typeof record.message === 'string' ? record.message : String(error);
  return { status, type, message };
}

function sendError(res: Response, status: number, code: string, message: string, details: string[]): void {
  if (res.headersSent) return;
  sendJson(res, status, { error: { code, message, details } });
}

/**
 * The headers `res.json` sends for a POST, written directly: Express's `res.json`/`send` (charset
 * and content-type parsing, header lookups) was ~5% of the webhook's CPU per warm review in
 * bench:validate's profile, besides the write itself.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
