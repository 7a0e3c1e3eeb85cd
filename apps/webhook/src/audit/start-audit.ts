import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AuditWriter } from './audit-writer.js';
import { kubeAuditWriter } from './kube-audit-writer.js';
import { kubeLeaseApi } from './kube-lease-api.js';
import { kubePodCache, optedOutNamespaces, type PodCache } from './kube-pod-cache.js';
import { LeaderElection, type LeaseApi } from './lease-election.js';
import { PodAuditor, type PodAuditorOptions } from './pod-auditor.js';

export const AUDIT_LEASE_NAME = 'signet-webhook-audit';
const DEFAULT_LEASE_DURATION_MS = 15_000;

export interface AuditSettings {
  /** Time between runs; the first runs as soon as this replica leads and has listed the Pods. */
  intervalMs: number;
  annotate: PodAuditorOptions['annotate'];
  /** The webhook's namespace: its Lease lives there, and its Pods are not audited. */
  namespace: string;
  leaseDurationMs?: number;
  /** This replica's name in the Lease (default: host name and a random suffix). */
  identity?: string;
}

export type AuditDependencies = Omit<
  PodAuditorOptions,
  'pods' | 'ownNamespace' | 'annotate' | 'writer' | 'optedOut'
> & {
  /**
   * Told the images of every listed Pod before each run, the first right after the Pods are listed
   * (the webhook tracks their projects in its index). Only the replica that leads lists the Pods.
   */
  onRunningImages?: (images: ReadonlySet<string>) => void;
};

export interface RunningAudit {
  election: LeaderElection;
  /** Runs an audit now, if this replica leads (tests, the bench). */
  runNow(): Promise<boolean>;
  stop(): Promise<void>;
}

/** The audit of running Pods, run by whichever replica holds the Lease. */
export function startAudit(
  kube: KubeConfig,
  settings: AuditSettings,
  dependencies: AuditDependencies,
  parts: {
    lease?: LeaseApi;
    writer?: AuditWriter;
    podCache?: PodCache;
    optedOut?: () => Promise<readonly string[]>;
  } = {},
): RunningAudit {
  const identity = settings.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const { onRunningImages, ...auditorDependencies } = dependencies;
  const logger: Logger = dependencies.logger;
  const podCache = parts.podCache ?? kubePodCache(kube, logger);
  const auditor = new PodAuditor({
    ...auditorDependencies,
    pods: () => podCache.pods(),
    ownNamespace: settings.namespace,
    annotate: settings.annotate,
    writer: parts.writer ?? kubeAuditWriter(kube, identity),
    optedOut: parts.optedOut ?? (() => optedOutNamespaces(kube)),
  });
  let timer: NodeJS.Timeout | undefined;
  let started: Promise<void> | undefined;
  let leading = false;

  const reportRunningImages = () => {
    try {
      onRunningImages?.(runningImages(podCache.pods()));
    } catch (error) {
      logger.warn({ err: error }, 'passing on the images of running Pods failed');
    }
  };
  const tick = () => {
    if (!leading) return;
    if (!podCache.synced) {
      logger.warn('audit skipped: the pods are not listed yet');
      return;
    }
    reportRunningImages();
    auditor.run().catch(() => {});
  };
  const election = new LeaderElection({
    api: parts.lease ?? kubeLeaseApi(kube, settings.namespace, AUDIT_LEASE_NAME),
    identity,
    leaseDurationMs: settings.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
    logger,
    onStartedLeading() {
      leading = true;
      dependencies.metrics.leader.set(1);
      timer = setInterval(tick, settings.intervalMs);
      started = podCache.start().then(tick, (error: unknown) => {
        logger.warn({ err: error }, 'listing the pods failed; the watch retries');
      });
    },
    onStoppedLeading() {
      leading = false;
      dependencies.metrics.leader.set(0);
      clearInterval(timer);
      auditor.clearMetrics();
      void podCache.stop();
    },
  });
  dependencies.metrics.leader.set(0);
  election.start();
  return {
    election,
    async runNow() {
      if (!leading) return false;
      await started;
      reportRunningImages();
      await auditor.run();
      return true;
    },
    async stop() {
      clearInterval(timer);
      await election.stop();
      await podCache.stop();
    },
  };
}

/** The images of the Pods' containers, init containers and ephemeral containers. */
function runningImages(pods: readonly V1Pod[]): Set<string> {
  const images = new Set<string>();
  for (const pod of pods) {
    const spec = pod.spec;
    for (const container of [
      ...(spec?.initContainers ?? []),
      ...(spec?.containers ?? []),
      ...(spec?.ephemeralContainers ?? []),
    ]) {
      if (container.image) images.add(container.image);
    }
  }
  return images;
}
