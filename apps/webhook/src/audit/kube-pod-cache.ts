import { CoreV1Api, type Informer, type KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** Every Pod of the cluster, kept current by one list+watch informer. */
export interface PodCache {
  pods(): readonly V1Pod[];
  /** True once the Pods have been listed (since the last start). */
  readonly synced: boolean;
  /** Resolves once the first list is in. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function kubePodCache(kube: KubeConfig, logger?: Logger, retryDelayMs = 1_000): PodCache {
  const core = kube.makeApiClient(CoreV1Api);
  let synced = false;
  const informer: Informer<V1Pod> = makeInformer(kube, '/api/v1/pods', async () => {
    const list = await core.listPodForAllNamespaces();
    synced = true;
    return list;
  });
  let stopped = true;
  let retry: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;
  informer.on('error', (error: unknown) => {
    logger?.warn({ err: error }, 'pod watch failed; retrying');
    if (stopped) return;
    clearTimeout(retry);
    retry = setTimeout(() => {
      if (!stopped) starting = informer.start().catch(() => {});
    }, retryDelayMs);
  });
  return {
    pods: () => (informer as unknown as { list(): V1Pod[] }).list(),
    get synced() {
      return synced;
    },
    async start() {
      stopped = false;
      synced = false;
      starting = informer.start();
      await starting;
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
      await starting?.catch(() => {});
      await informer.stop();
    },
  };
}

/** The label that takes a namespace out of admission (deploy/webhook.yaml's namespaceSelector), and so out of the audit. */
const OPT_OUT_SELECTOR = 'kritis-validation=disabled';

/** Namespaces labelled kritis-validation=disabled (RBAC: namespaces list). */
export async function optedOutNamespaces(kube: KubeConfig): Promise<string[]> {
  const list = await kube.makeApiClient(CoreV1Api).listNamespace({ labelSelector: OPT_OUT_SELECTOR });
  return list.items.flatMap((namespace) => (namespace.metadata?.name ? [namespace.metadata.name] : []));
}
