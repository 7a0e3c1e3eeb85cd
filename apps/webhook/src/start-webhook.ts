import { type ApiVersion, type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { AttestationVerifier, type ClusterSettings, type OccurrenceReader } from '@signet/policy';
import type { RegistryClient } from '@signet/registry';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DeadlineSettings } from './admission/deadline.js';
import { DEFAULT_DECISION_MEMO, DecisionMemo, type DecisionMemoSettings } from './admission/decision-memo.js';
import type { ResolveMode } from './admission/image-pins.js';
import { createMutateDecider, type PullSecretsReader } from './admission/mutate-decider.js';
import { createPolicyDecider } from './admission/policy-decider.js';
import { warmUpDecision } from './admission/warm-up.js';
import type { AuditDependencies, AuditSettings, RunningAudit } from './audit/start-audit.js';
import type { ManagedTls, ManagedTlsConfig } from './certs/managed-tls.js';
import type { TlsSource } from './certs/tls.js';
import { defaultStoreUrl } from './cli/defaults.js';
import { WebhookError } from './errors.js';
import { CachedMetadataSource } from './metadata/cached-metadata-source.js';
import { exposeIndexMetrics } from './metadata/index-metrics.js';
import { type IndexSettings, OccurrenceIndex } from './metadata/occurrence-index.js';
import { RegistryCosignReader } from './metadata/registry-cosign-reader.js';
import { ReloadingStore, type StoreTlsFiles } from './metadata/reloading-store.js';
import { trackRunningPodProjects } from './metadata/running-pod-projects.js';
import type { CacheSettings } from './metadata/singleflight-cache.js';
import { createMetrics, type WebhookMetrics } from './monitoring/metrics.js';
import type { Readiness } from './monitoring/readiness.js';
import { filePolicySource } from './policies/file-policy-source.js';
import { NamespacePolicyResolver } from './policies/namespace-policies.js';
import type { PolicySource } from './policies/policy-source.js';
import type { PullSecretReader, PullSecretReaderOptions } from './pull-secrets/pull-secret-reader.js';
import { type RegistrySettings, webhookRegistryClient } from './registry-client.js';
import { createLogger } from './server/logger.js';
import { createWebhookServer, type WebhookServer } from './server/webhook-server.js';

export interface WebhookConfig {
  /** Where policies come from: a folder, the cluster, or a ready source. */
  policies:
    | { from: 'directory'; directory: string }
    | { from: 'kubernetes'; kubeconfig?: string }
    | { from: 'source'; source: PolicySource };
  /** A store URL (as `signet --store`), or a ready store (tests, the demo). */
  store?: string | OccurrenceReader;
  api?: ApiVersion;
  /** PEM files for an https store (`--store-ca/--store-cert/--store-key`), reloaded when they change. */
  storeTls?: StoreTlsFiles;
  /** Project of vulnerability occurrences for images outside GCR / Artifact Registry. */
  project?: string;
  /** Serving certificate and key: files (watched and reloaded) or PEM text. */
  tls?: TlsSource;
  /** `--client-ca`: only callers with a client certificate from these CAs (the API server) get decisions. */
  clientCaFile?: string;
  /** `--manage-certs`, instead of `tls`: the certificate kept in a Secret through the Kubernetes API. */
  manageCerts?: ManagedTlsConfig;
  insecureHttp?: boolean;
  port?: number;
  host?: string;
  settings?: Partial<Pick<ClusterSettings, 'noPolicy' | 'breakglass' | 'onBackendError'>>;
  cache?: Partial<CacheSettings>;
  /**
   * The per-project index for backends that ignore filters. `auto` (default): used when the store's
   * probe says filters are ignored (see README "Backends that ignore filters").
   */
  index?: Partial<IndexSettings> & { mode?: IndexMode; clock?: () => number };
  /** Plain admissions remembered briefly (ttlMs 0: off). */
  decisionMemo?: Partial<DecisionMemoSettings>;
  deadline?: Partial<DeadlineSettings>;
  bodyLimitBytes?: number;
  shutdownDelayMs?: number;
  /** POST /mutate: tag resolution (default: `--resolve-tags pods`, anonymous and --registry-config-less). */
  resolve?: ResolveConfig;
  /** The audit of running Pods (needs policies from Kubernetes: it uses the same connection). */
  audit?: AuditSettings;
  /**
   * `--pull-secrets`: tag resolution tries each review's imagePullSecrets (then its ServiceAccount's)
   * first. Off when absent. Reads through the `--kubernetes` connection unless `kubeConfig` is given;
   * needs the RBAC of deploy/pull-secrets (get on secrets and serviceaccounts).
   */
  pullSecrets?: Partial<PullSecretReaderOptions>;
  logger?: Logger;
  metrics?: WebhookMetrics;
}

type IndexMode = 'auto' | 'on' | 'off';

interface ResolveConfig {
  /** `--resolve-tags` (default `pods`). */
  mode?: ResolveMode;
  /** `--registry-config`, `--registry-ca`, `--insecure-registry`, `--resolve-ttl`. */
  registry?: RegistrySettings;
  /**
   * A review's own credentials, asked before the registry settings' (tests); otherwise the reader of
   * `pullSecrets` (`--pull-secrets`), when on.
   */
  pullSecrets?: PullSecretsReader;
}

export interface RunningWebhook extends WebhookServer {
  policies: PolicySource;
  audit: RunningAudit | undefined;
  /** The review's pull secrets as registry credentials (`pullSecrets` given), for `POST /mutate`. */
  pullSecrets: PullSecretReader | undefined;
  /** Where decisions read metadata: the per-lookup cache, or the index of a filter-ignoring backend. */
  metadata: CachedMetadataSource | OccurrenceIndex;
  /** Shuts the server down (in-flight reviews finish), then stops the policy source and the store. */
  stop(): Promise<void>;
}

/** Everything `signet-webhook` runs: policy source, store, caches, decision, HTTPS server. */
export async function startWebhook(config: WebhookConfig): Promise<RunningWebhook> {
  if (config.audit && config.policies.from !== 'kubernetes') {
    throw new WebhookError(
      'AUDIT_NEEDS_KUBERNETES',
      'the audit of running Pods reads them from the cluster, but the policies do not come from it',
      'use --kubernetes, or turn the audit off with --audit-interval 0',
    );
  }
  if (config.pullSecrets && !config.pullSecrets.kubeConfig && config.policies.from !== 'kubernetes') {
    throw new WebhookError(
      'PULL_SECRETS_NEED_KUBERNETES',
      'the pull secrets of reviewed Pods are read from the cluster, but the policies do not come from it',
      'use --kubernetes with --pull-secrets, or leave --pull-secrets out',
    );
  }
  const logger = config.logger ?? createLogger();
  const metrics = config.metrics ?? createMetrics({ defaultMetrics: true });
  const policies = await policySourceFor(config, logger, () =>
    metrics.policyReloads.inc({ source: config.policies.from, result: 'failed' }),
  );
  let ownedStore: Pick<MetadataStore, 'close'> | undefined;
  let store: OccurrenceReader;
  if (typeof config.store === 'object') {
    store = config.store;
  } else {
    const url = config.store ?? defaultStoreUrl();
    const api = config.api ?? 'v1';
    const files = config.storeTls;
    const opened =
      files && (files.ca || files.cert || files.key)
        ? await ReloadingStore.open(url, { api, files, logger })
        : await openMetadataStore(url, { api });
    ownedStore = opened;
    store = opened;
  }
  let managedTls: ManagedTls | undefined;
  let index: OccurrenceIndex | undefined;
  try {
    managedTls = config.manageCerts ? await startManagedTlsFor(config.manageCerts, logger) : undefined;
    // One registry client: POST /mutate resolves tags with it, cosign authorities read signatures with it.
    const registry = await webhookRegistryClient(config.resolve?.registry ?? {}, logger);
    const cosign = new RegistryCosignReader({ registry, metrics, logger });
    const metadata = await metadataSourceFor(config, store, cosign, metrics, logger);
    if (metadata instanceof OccurrenceIndex) index = metadata;
    const verifier = new AttestationVerifier({ cache: new LRUCache({ max: 50_000 }) });
    const settings = {
      noPolicy: config.settings?.noPolicy ?? 'allow',
      breakglass: config.settings?.breakglass ?? 'on',
      onBackendError: config.settings?.onBackendError ?? 'deny',
      ...(config.project ? { vulnerabilityProject: config.project } : {}),
    } satisfies Partial<ClusterSettings>;
    const resolver = new NamespacePolicyResolver(policies, logger);
    policies.onChange((snapshot) => {
      metrics.policyReloads.inc({
        source: config.policies.from,
        result: snapshot.problems.length > 0 ? 'problems' : 'ok',
      });
    });
    await policies.start();
    if (metadata instanceof OccurrenceIndex) {
      // The scopes the policies and flags name are filled before ready; a reload's new ones warm in the background.
      const track = () =>
        metadata.track({
          notes: resolver.noteNames(),
          projects: [
            ...(settings.vulnerabilityProject ? [settings.vulnerabilityProject] : []),
            ...resolver.projectNames(),
          ],
        });
      track();
      policies.onChange(track);
      metadata.start();
      logger.info({ warming: metadata.readiness().warming }, 'index scopes warming before ready');
      exposeIndexMetrics(metrics.registry, metadata);
    }
    await warmUp(logger);
    const pullSecrets = config.pullSecrets
      ? await pullSecretsFor(config, config.pullSecrets, logger)
      : undefined;
    const mutator = mutatorFor(config.resolve, registry, pullSecrets, metrics, logger);
    const server = await createWebhookServer({
      mutator,
      decider: createPolicyDecider({
        policies: resolver,
        metadata,
        verifier,
        settings,
        // --resolve-tags pods pins Pods only: a template's tags are judged in the Pods made from it.
        templateTags: (config.resolve?.mode ?? 'pods') === 'pods' ? 'judge-in-pods' : 'deny',
        metrics,
        logger,
        memo: new DecisionMemo({ ...DEFAULT_DECISION_MEMO, ...config.decisionMemo }),
      }),
      tls: managedTls?.tls ?? config.tls,
      ...(config.clientCaFile ? { clientCaFile: config.clientCaFile } : {}),
      insecureHttp: config.insecureHttp,
      port: config.port,
      host: config.host,
      readiness: () =>
        bothReady(
          policies.readiness(),
          metadata instanceof OccurrenceIndex ? metadata.readiness() : undefined,
        ),
      failOpen: settings.onBackendError === 'allow',
      deadline: config.deadline,
      bodyLimitBytes: config.bodyLimitBytes,
      shutdownDelayMs: config.shutdownDelayMs,
      logger,
      metrics,
    });
    managedTls?.startRenewal((tls) => server.replaceTls(tls));
    const audit = config.audit
      ? await startAuditFor(config, config.audit, {
          policies: resolver,
          metadata,
          verifier,
          settings,
          metrics: metrics.audit,
          logger,
          // The projects of running Pods' images warm in the background once the leader lists them.
          ...(metadata instanceof OccurrenceIndex
            ? { onRunningImages: trackRunningPodProjects(metadata, logger) }
            : {}),
        })
      : undefined;
    return {
      ...server,
      policies,
      metadata,
      audit,
      pullSecrets,
      async stop() {
        await audit?.stop();
        await server.shutdown();
        if (metadata instanceof OccurrenceIndex) metadata.close();
        await managedTls?.close();
        await policies.close();
        await ownedStore?.close();
      },
    };
  } catch (error) {
    index?.close();
    await managedTls?.close().catch(() => {});
    await policies.close().catch(() => {});
    await ownedStore?.close().catch(() => {});
    throw error;
  }
}

/** The warm-up decision (see warm-up.ts); one that does not admit says the decision path is broken. */
async function warmUp(logger: Logger): Promise<void> {
  const started = performance.now();
  const decision = await warmUpDecision();
  const ms = Math.round(performance.now() - started);
  if (decision.allowed) logger.debug({ ms }, 'decision path warmed up');
  else logger.error({ ms, message: decision.message }, 'the warm-up decision did not admit its signed image');
}

/** POST /mutate's decider; `off` says so once, here. */
function mutatorFor(
  config: ResolveConfig | undefined,
  registry: RegistryClient,
  pullSecrets: PullSecretReader | undefined,
  metrics: WebhookMetrics,
  logger: Logger,
) {
  const mode = config?.mode ?? 'pods';
  if (mode === 'off')
    logger.info('tag resolution is off (--resolve-tags off): POST /mutate admits without a patch');
  return createMutateDecider({
    mode,
    registry,
    metrics,
    ...(config?.pullSecrets || pullSecrets ? { pullSecrets: config?.pullSecrets ?? pullSecrets } : {}),
  });
}

/** A backend that does not answer the probe at start is judged by its scheme instead. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * One filtered query per lookup (cached) where the backend filters; the shared index where it ignores
 * filters: `grafeas:` unless its probe shows filtering (grafeas-pgsql), or any URL whose probe shows it.
 */
async function metadataSourceFor(
  config: WebhookConfig,
  store: OccurrenceReader,
  cosign: RegistryCosignReader,
  metrics: WebhookMetrics,
  logger: Logger,
): Promise<CachedMetadataSource | OccurrenceIndex> {
  const mode = config.index?.mode ?? 'auto';
  const cached = () => new CachedMetadataSource({ store, cache: config.cache, metrics, logger, cosign });
  if (mode === 'off' || !isIndexable(store)) return cached();
  if (mode === 'auto') {
    const support = await store.filterSupport(config.project ?? 'signet', {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    logger.info({ backend: store.backend, ...support }, 'metadata backend filter support');
    if (support.filters === 'applied') return cached();
  }
  const { mode: _mode, clock, ...settings } = config.index ?? {};
  return new OccurrenceIndex({ store, settings, metrics, logger, cosign, ...(clock ? { clock } : {}) });
}

function isIndexable(
  store: OccurrenceReader,
): store is OccurrenceReader & Pick<MetadataStore, 'visitOccurrences' | 'filterSupport'> {
  return 'visitOccurrences' in store && 'filterSupport' in store;
}

function bothReady(first: Readiness, second: Readiness | undefined): Readiness {
  if (!second) return first;
  const warming = [...(first.warming ?? []), ...(second.warming ?? [])];
  return {
    ready: first.ready && second.ready,
    reasons: [...first.reasons, ...second.reasons],
    ...(second.warming ? { warming } : {}),
  };
}

async function startManagedTlsFor(config: ManagedTlsConfig, logger: Logger): Promise<ManagedTls> {
  // Like the policy source below: the Kubernetes client is loaded only when it is used.
  const { startManagedTls } = await import('./certs/managed-tls.js');
  return startManagedTls(config, logger);
}

async function startAuditFor(
  config: WebhookConfig,
  settings: AuditSettings,
  dependencies: AuditDependencies,
): Promise<RunningAudit> {
  const kubeconfig = config.policies.from === 'kubernetes' ? config.policies.kubeconfig : undefined;
  const { loadKubeConfig } = await import('./policies/kubernetes-policy-source.js');
  const { startAudit } = await import('./audit/start-audit.js');
  return startAudit(loadKubeConfig(kubeconfig), settings, dependencies);
}

async function pullSecretsFor(
  config: WebhookConfig,
  settings: Partial<PullSecretReaderOptions>,
  logger: Logger,
): Promise<PullSecretReader> {
  const { kubernetesPullSecrets } = await import('./pull-secrets/pull-secret-reader.js');
  let kubeConfig = settings.kubeConfig;
  if (!kubeConfig) {
    const kubeconfig = config.policies.from === 'kubernetes' ? config.policies.kubeconfig : undefined;
    const { loadKubeConfig } = await import('./policies/kubernetes-policy-source.js');
    kubeConfig = loadKubeConfig(kubeconfig);
  }
  logger.info(
    "tags are resolved with the reviewed Pods' imagePullSecrets and their ServiceAccounts' (GET; RBAC: deploy/pull-secrets)",
  );
  return kubernetesPullSecrets({ ...settings, kubeConfig });
}

async function policySourceFor(
  config: WebhookConfig,
  logger: Logger,
  onFailure: (error: unknown) => void,
): Promise<PolicySource> {
  const policies = config.policies;
  if (policies.from === 'source') return policies.source;
  if (policies.from === 'directory') {
    return filePolicySource({ directory: policies.directory, logger, onFailure });
  }
  // The Kubernetes client is large: load it only for --kubernetes.
  const { kubernetesPolicySource } = await import('./policies/kubernetes-policy-source.js');
  return kubernetesPolicySource({ kubeconfig: policies.kubeconfig, logger, onFailure });
}
