import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings } from '../admission/deadline.js';
import type { Decider } from '../admission/decision.js';
import { createReviewHandler } from '../admission/handle-review.js';
import { createApp, DEFAULT_BODY_LIMIT_BYTES, type Readiness } from './app.js';
import { createLogger } from './logger.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import {
  loadTlsMaterial,
  secureContextOptions,
  type TlsFiles,
  type TlsReloader,
  watchTlsFiles,
} from './tls.js';

export interface WebhookServerOptions {
  decider: Decider;
  /** Serving certificate and key; required unless `insecureHttp`. */
  tls?: TlsFiles;
  insecureHttp?: boolean;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Extra readiness conditions (policies synced, …). */
  readiness?: () => Readiness;
  /** `--on-backend-error allow`: a review past its deadline is admitted with a warning. */
  failOpen?: boolean;
  deadline?: Partial<DeadlineSettings>;
  bodyLimitBytes?: number;
  logger?: Logger;
  metrics?: WebhookMetrics;
  tlsPollIntervalMs?: number;
  /** After shutdown starts, keep serving (not ready) this long so endpoints stop sending reviews. */
  shutdownDelayMs?: number;
  /** In-flight requests get this long to finish before their connections are cut. */
  drainTimeoutMs?: number;
}

export interface WebhookServer {
  /** `https://host:port` (or `http://` with insecureHttp). */
  url: string;
  port: number;
  metrics: WebhookMetrics;
  logger: Logger;
  /** Re-reads the TLS files now (they are also watched); true when a new pair was installed. */
  reloadTls(): Promise<boolean>;
  /** Readiness goes false, new connections are refused, in-flight reviews finish, then it resolves. */
  shutdown(): Promise<void>;
  /** Same as shutdown. */
  close(): Promise<void>;
}

export async function createWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? createMetrics();
  let shuttingDown = false;
  const readiness = (): Readiness => {
    const extra = options.readiness?.() ?? { ready: true, reasons: [] };
    const reasons = shuttingDown ? ['shutting down', ...extra.reasons] : extra.reasons;
    return { ready: reasons.length === 0, reasons };
  };
  const handleReview = createReviewHandler({
    decider: options.decider,
    deadline: { ...DEFAULT_DEADLINE_SETTINGS, ...options.deadline },
    failOpen: options.failOpen ?? false,
    logger,
    metrics,
  });
  const app = createApp({
    handleReview,
    readiness,
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
  });

  let server: HttpServer | HttpsServer;
  let reloader: TlsReloader | undefined;
  if (options.tls) {
    const files = options.tls;
    const material = await loadTlsMaterial(files);
    const https = createHttpsServer(secureContextOptions(material), app);
    reloader = watchTlsFiles(
      files,
      material,
      (next) => https.setSecureContext(secureContextOptions(next)),
      (result, error) => {
        if (result === 'unchanged') return;
        metrics.tlsReloads.inc({ result });
        if (result === 'reloaded') logger.info({ cert: files.certFile }, 'serving certificate reloaded');
        else
          logger.warn(
            { err: error, cert: files.certFile },
            'serving certificate not reloaded; keeping the old one',
          );
      },
      options.tlsPollIntervalMs,
    );
    server = https;
  } else if (options.insecureHttp) {
    server = createHttpServer(app);
  } else {
    throw new Error('createWebhookServer needs tls files, or insecureHttp: true');
  }
  // The API server reuses connections; keep them open longer than its idle timeout (90 s).
  server.keepAliveTimeout = 95_000;
  server.headersTimeout = 100_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8443, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${scheme}://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      shuttingDown = true;
      logger.info('shutting down: not ready, finishing in-flight reviews');
      reloader?.close();
      if (options.shutdownDelayMs)
        await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      const force = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? 30_000);
      // Keep-alive connections become idle once their review is answered: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(sweep);
      clearTimeout(force);
    })();
    return closing;
  };

  return {
    url,
    port: address.port,
    metrics,
    logger,
    reloadTls: () => reloader?.reload() ?? Promise.resolve(false),
    shutdown,
    close: shutdown,
  };
}
