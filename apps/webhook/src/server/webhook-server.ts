import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings } from '../admission/deadline.js';
import type { Decider } from '../admission/decision.js';
import { createReviewHandler } from '../admission/handle-review.js';
import {
  checkTlsPem,
  isTlsFiles,
  loadTlsMaterial,
  secureContextOptions,
  type TlsMaterial,
  type TlsReloader,
  type TlsSource,
  watchTlsFiles,
} from '../certs/tls.js';
import { WebhookError } from '../errors.js';
import { createMetrics, type WebhookMetrics } from '../monitoring/metrics.js';
import type { Readiness } from '../monitoring/readiness.js';
import { createApp, DEFAULT_BODY_LIMIT_BYTES } from './app.js';
import { loadClientCa, watchClientCa } from './client-ca.js';
import { createLogger } from './logger.js';

export interface WebhookServerOptions {
  decider: Decider;
  /** POST /mutate's decider (tag resolution); none: /mutate admits every review without a patch. */
  mutator?: Decider;
  /** Serving certificate and key, as files (watched) or PEM text; required unless `insecureHttp`. */
  tls?: TlsSource;
  /**
   * `--client-ca`: a PEM file (watched) of the CAs whose client certificates may POST /validate; any
   * other caller gets 401 and no decision. The probes and /metrics stay open. Needs `tls`.
   */
  clientCaFile?: string;
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
  /** Re-reads the --client-ca file now (it is also watched); true when a new bundle was installed. */
  reloadClientCa(): Promise<boolean>;
  /**
   * Serves a new certificate and key (PEM) to new connections; open ones keep theirs. Throws
   * TLS_PEM_INVALID, keeping the current pair, when they do not match. For a server given PEM text.
   */
  replaceTls(material: TlsMaterial): void;
  /** Readiness goes false, new connections are refused, in-flight reviews finish, then it resolves. */
  shutdown(): Promise<void>;
  /** Same as shutdown. */
  close(): Promise<void>;
}

const NO_MUTATION: Decider = async () => ({
  allowed: true,
  reason: 'resolve-off',
  message: 'this server resolves no tags',
  images: [],
  warnings: [],
  auditAnnotations: {},
});

export async function createWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? createMetrics();
  let shuttingDown = false;
  const readiness = (): Readiness => {
    const extra = options.readiness?.() ?? { ready: true, reasons: [] };
    const reasons = shuttingDown ? ['shutting down', ...extra.reasons] : extra.reasons;
    return { ready: reasons.length === 0, reasons, ...(extra.warming ? { warming: extra.warming } : {}) };
  };
  metrics.readinessProbe.current = () => readiness().ready;
  const handleReview = createReviewHandler({
    decider: options.decider,
    deadline: { ...DEFAULT_DEADLINE_SETTINGS, ...options.deadline },
    failOpen: options.failOpen ?? false,
    logger,
    metrics,
  });
  const handleMutation = createReviewHandler({
    decider: options.mutator ?? NO_MUTATION,
    deadline: { ...DEFAULT_DEADLINE_SETTINGS, ...options.deadline },
    failOpen: false,
    logger,
    metrics,
    hook: 'mutate',
  });
  const tls = options.tls;
  if (!tls && !options.insecureHttp) {
    throw new Error('createWebhookServer needs tls (files or PEM), or insecureHttp: true');
  }
  if (options.clientCaFile && !tls) {
    throw new WebhookError(
      'CLIENT_CA_NEEDS_TLS',
      '--client-ca checks client certificates, which only exist over TLS',
      'serve TLS (--tls-cert/--tls-key or --manage-certs) instead of --insecure-http',
    );
  }
  const app = createApp({
    handleReview,
    handleMutation,
    readiness,
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    requireClientCert: options.clientCaFile !== undefined,
  });
  const reportTls = (result: 'reloaded' | 'unchanged' | 'failed', error?: unknown) => {
    if (result === 'unchanged') return;
    metrics.tlsReloads.inc({ result });
    const cert = tls && isTlsFiles(tls) ? tls.certFile : '(PEM)';
    if (result === 'reloaded') logger.info({ cert }, 'serving certificate reloaded');
    else logger.warn({ err: error, cert }, 'serving certificate not reloaded; keeping the old one');
  };
  const initial = tls && (isTlsFiles(tls) ? await loadTlsMaterial(tls) : checkTlsPem(tls));
  if (initial) recordCertificateExpiry(metrics, initial);
  // The serving pair and the client CA are replaced independently; each install keeps the other.
  let material = initial;
  let clientCa = options.clientCaFile ? await loadClientCa(options.clientCaFile) : undefined;
  const https = initial
    ? createHttpsServer(
        {
          ...secureContextOptions(initial, clientCa),
          // Ask for a certificate but let the handshake finish without one: the probes need none,
          // and /validate answers 401 itself, which says why instead of a bare TLS alert.
          ...(clientCa ? { requestCert: true, rejectUnauthorized: false } : {}),
        },
        app,
      )
    : undefined;
  const server: HttpServer | HttpsServer = https ?? createHttpServer(app);
  const install = (next: TlsMaterial | undefined, bundle: string | undefined) => {
    if (!https || !next) return;
    https.setSecureContext(secureContextOptions(next, bundle));
    recordCertificateExpiry(metrics, next);
    material = next;
    clientCa = bundle;
  };
  const reloader: TlsReloader | undefined =
    https && initial && tls && isTlsFiles(tls)
      ? watchTlsFiles(tls, initial, (next) => install(next, clientCa), reportTls, options.tlsPollIntervalMs)
      : undefined;
  const clientCaReloader =
    https && clientCa && options.clientCaFile
      ? watchClientCa(
          options.clientCaFile,
          clientCa,
          (bundle) => install(material, bundle),
          (result, error) => {
            if (result === 'reloaded') logger.info({ clientCa: options.clientCaFile }, 'client CA reloaded');
            else
              logger.warn(
                { err: error, clientCa: options.clientCaFile },
                'client CA not reloaded; keeping the old one',
              );
          },
          options.tlsPollIntervalMs,
        )
      : undefined;
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
      clientCaReloader?.close();
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
    reloadClientCa: () => clientCaReloader?.reload() ?? Promise.resolve(false),
    replaceTls(next) {
      if (!https) throw new Error('replaceTls needs a server started with tls');
      try {
        install(checkTlsPem(next), clientCa);
      } catch (error) {
        reportTls('failed', error);
        throw error;
      }
      reportTls('reloaded');
    },
    shutdown,
    close: shutdown,
  };
}

/** The serving certificate's notAfter, for the alert that fires a week before it. */
function recordCertificateExpiry(metrics: WebhookMetrics, material: TlsMaterial): void {
  try {
    const notAfter = Date.parse(new X509Certificate(material.cert).validTo);
    if (!Number.isNaN(notAfter)) metrics.certificateExpiry.set(notAfter / 1000);
  } catch {
    // The TLS context accepted it, so it is a certificate; a reading failure only leaves the gauge as it was.
  }
}
