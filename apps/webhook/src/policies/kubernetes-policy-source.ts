import {
  CustomObjectsApi,
  type Informer,
  KubeConfig,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';
import { errorMessage } from '@signet/errors';
import type { Logger } from 'pino';
import {
  type PolicyDocument,
  type PolicySnapshot,
  type PolicySource,
  SnapshotListeners,
} from './policy-source.js';

export const KRITIS_GROUP = 'kritis.grafeas.io';
export const KRITIS_VERSION = 'v1beta1';
const KRITIS_PLURALS = {
  AttestationAuthority: 'attestationauthorities',
  GenericAttestationPolicy: 'genericattestationpolicies',
  ImageSecurityPolicy: 'imagesecuritypolicies',
} as const;

export interface KubernetesPolicySourceOptions {
  /** A kubeconfig file; without it, the in-cluster service account. */
  kubeconfig?: string;
  /** Or a ready KubeConfig (tests). */
  kubeConfig?: KubeConfig;
  logger?: Logger;
  /** First delay before restarting a failed list/watch; doubles up to 30 s. */
  retryDelayMs?: number;
  /** Told of each listener that threw, after it is logged. */
  onFailure?: (error: unknown) => void;
}

export function loadKubeConfig(kubeconfig: string | undefined): KubeConfig {
  const config = new KubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromCluster();
  return config;
}

interface Watched {
  kind: string;
  informer: Informer<KubernetesObject>;
  synced: boolean;
  lastError: string | undefined;
  retry: NodeJS.Timeout | undefined;
  /** The informer's (re)start under way: it may open a watch after a stop, so close() waits for it. */
  starting: Promise<void> | undefined;
  delayMs: number;
}

function startInformer(entry: Watched): Promise<void> {
  const starting = entry.informer.start().catch(() => {});
  entry.starting = starting;
  return starting;
}

/**
 * The custom resources of kritis.grafeas.io/v1beta1, all namespaces, through list+watch informers.
 * Not ready until each kind has been listed once; a failed watch is restarted with backoff and the
 * last known resources stay in force meanwhile.
 */
export function kubernetesPolicySource(options: KubernetesPolicySourceOptions): PolicySource {
  const config = options.kubeConfig ?? loadKubeConfig(options.kubeconfig);
  const api = config.makeApiClient(CustomObjectsApi);
  // A listener that throws is logged and given the policies again at the next change.
  const listeners = new SnapshotListeners((error) => {
    options.logger?.error(
      { err: error },
      'a policy listener failed; it is given the policies again at the next change',
    );
    options.onFailure?.(error);
  });
  const baseDelay = options.retryDelayMs ?? 1_000;
  let stopped = false;
  let generation = 0;
  let dirty = true;
  let cached: PolicySnapshot = { generation: 0, documents: [], problems: [] };
  let notify: NodeJS.Immediate | undefined;

  const changed = () => {
    dirty = true;
    notify ??= setImmediate(() => {
      notify = undefined;
      listeners.notify(current());
    });
  };

  const watched: Watched[] = Object.entries(KRITIS_PLURALS).map(([kind, plural]) => {
    const entry: Watched = {
      kind,
      synced: false,
      lastError: undefined,
      retry: undefined,
      starting: undefined,
      delayMs: baseDelay,
    } as Watched;
    const list = async () => {
      const result = await api.listClusterCustomObject({
        group: KRITIS_GROUP,
        version: KRITIS_VERSION,
        plural,
      });
      entry.synced = true;
      entry.lastError = undefined;
      entry.delayMs = baseDelay;
      changed();
      return result;
    };
    entry.informer = makeInformer(config, `/apis/${KRITIS_GROUP}/${KRITIS_VERSION}/${plural}`, list);
    entry.informer.on('change', changed);
    entry.informer.on('error', (error: unknown) => {
      entry.lastError = errorMessage(error);
      options.logger?.warn({ kind, err: error }, 'policy watch failed; retrying');
      if (stopped) return;
      clearTimeout(entry.retry);
      entry.retry = setTimeout(() => {
        if (!stopped) void startInformer(entry);
      }, entry.delayMs);
      entry.delayMs = Math.min(entry.delayMs * 2, 30_000);
    });
    return entry;
  });

  const current = (): PolicySnapshot => {
    if (!dirty) return cached;
    dirty = false;
    generation += 1;
    const documents: PolicyDocument[] = [];
    for (const entry of watched) {
      for (const object of (entry.informer as unknown as { list(): KubernetesObject[] }).list()) {
        const namespace = object.metadata?.namespace ?? 'default';
        documents.push({
          source: `kubernetes:${entry.kind}/${namespace}/${object.metadata?.name ?? ''}`,
          namespace,
          document: { kind: entry.kind, apiVersion: `${KRITIS_GROUP}/${KRITIS_VERSION}`, ...object },
        });
      }
    }
    cached = { generation, documents, problems: [] };
    return cached;
  };

  return {
    snapshot: current,
    readiness: () => {
      const reasons = watched
        .filter((entry) => !entry.synced)
        .map((entry) => `${entry.kind} not listed yet${entry.lastError ? ` (${entry.lastError})` : ''}`);
      return { ready: reasons.length === 0, reasons };
    },
    onChange: (listener) => listeners.add(listener),
    async start() {
      await Promise.all(watched.map(startInformer));
    },
    async close() {
      stopped = true;
      if (notify) clearImmediate(notify);
      for (const entry of watched) {
        clearTimeout(entry.retry);
        await entry.informer.stop();
        // A start that was listing when we stopped goes on to open its watch: stop that one too.
        await entry.starting;
        await entry.informer.stop();
      }
    },
  };
}
