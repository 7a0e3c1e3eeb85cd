import { errorMessage, isSignetError } from '@signet/errors';
import { CommanderError } from 'commander';
import type { Logger } from 'pino';
import type { ManagedTlsConfig } from '../certs/managed-tls.js';
import { podNamespace } from '../certs/namespace.js';
import { createLogger } from '../server/logger.js';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { buildProgram, type ManageCertsOptions, type WebhookCliOptions } from './program.js';

const INSECURE_BANNER = [
  '',
  '  !!!  WARNING: --insecure-http  !!!',
  '  This webhook serves plain HTTP. Kubernetes only calls admission webhooks over HTTPS, and anyone',
  '  on the network can read and forge reviews. Use it for local experiments only.',
  '',
].join('\n');

/** Runs `signet-webhook` until SIGTERM/SIGINT; resolves the exit code. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: WebhookCliOptions | undefined;
  const program = buildProgram(
    async (checked) => {
      options = checked;
    },
    undefined,
    env,
  );
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  if (!options) return 2;
  const logger = createLogger({ level: options.logLevel });
  const namespace = options.audit || options.manageCerts ? ownNamespace(options.kubeconfig, env, logger) : '';
  let running: RunningWebhook;
  try {
    if (options.insecureHttp) {
      process.stderr.write(`${INSECURE_BANNER}\n`);
      logger.warn('serving plain HTTP (--insecure-http): for local experiments only');
    }
    for (const registry of options.insecureRegistries) {
      process.stderr.write(
        `WARNING: --insecure-registry ${registry}: its tags are resolved over plain HTTP, and anyone on the network can change the digest Signet pins; serve it over HTTPS and give its CA with --registry-ca\n`,
      );
      logger.warn({ registry }, 'resolving tags over plain HTTP (--insecure-registry)');
    }
    running = await startWebhook({
      policies: options.kubernetes
        ? { from: 'kubernetes', ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}) }
        : { from: 'directory', directory: options.policies as string },
      store: options.store,
      api: options.api,
      storeTls: options.storeTls,
      project: options.project,
      ...(options.tlsCert && options.tlsKey
        ? { tls: { certFile: options.tlsCert, keyFile: options.tlsKey } }
        : {}),
      ...(options.clientCa ? { clientCaFile: options.clientCa } : {}),
      ...(options.manageCerts
        ? { manageCerts: manageCertsConfig(options.manageCerts, options.kubeconfig, namespace) }
        : {}),
      insecureHttp: options.insecureHttp,
      port: options.port,
      host: options.host,
      settings: {
        noPolicy: options.noPolicy,
        breakglass: options.breakglass ? 'on' : 'off',
        onBackendError: options.onBackendError,
      },
      cache: {
        maxEntries: options.cacheSize,
        ttlMs: options.cacheTtlMs,
        emptyTtlMs: options.emptyCacheTtlMs,
      },
      index: {
        mode: options.index,
        refreshMs: options.indexRefreshMs,
        maxAgeMs: options.indexMaxAgeMs,
        maxOccurrences: options.indexMaxOccurrences,
      },
      decisionMemo: { ttlMs: options.decisionTtlMs },
      deadline: { safetyMarginMs: options.safetyMarginMs },
      bodyLimitBytes: options.maxBodyBytes,
      shutdownDelayMs: options.shutdownDelayMs,
      ...(options.audit ? { audit: { ...options.audit, namespace } } : {}),
      ...(options.pullSecrets ? { pullSecrets: {} } : {}),
      resolve: {
        mode: options.resolveTags,
        registry: {
          ...(options.registryConfig ? { configFile: options.registryConfig } : {}),
          ...(options.registryCa ? { caFile: options.registryCa } : {}),
          insecureRegistries: options.insecureRegistries,
          ttlMs: options.resolveTtlMs,
        },
      },
      logger,
    });
  } catch (error) {
    const text = isSignetError(error) ? error.explain() : errorMessage(error);
    process.stderr.write(`signet-webhook: ${text}\n`);
    if (env.SIGNET_DEBUG === '1') process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
  process.stdout.write(`signet-webhook listening on ${running.url} (POST /validate, POST /mutate)\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      void running.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.flush();
  return 0;
}

/** The namespace of the audit's Lease and of the certificate Secret, logged with where it was read. */
function ownNamespace(kubeconfig: string | undefined, env: NodeJS.ProcessEnv, logger: Logger): string {
  const { namespace, from } = podNamespace(env, { kubeconfig });
  logger.info({ namespace, from }, `the webhook's namespace is ${namespace} (from ${from})`);
  return namespace;
}

function manageCertsConfig(
  names: ManageCertsOptions,
  kubeconfig: string | undefined,
  namespace: string,
): ManagedTlsConfig {
  return { ...names, ...(kubeconfig ? { kubeconfig } : {}), namespace };
}
