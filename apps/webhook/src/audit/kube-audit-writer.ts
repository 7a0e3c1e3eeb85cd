import { createHash } from 'node:crypto';
import {
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { AuditWriter, PodEvent, PodRef } from './audit-writer.js';
import { kubeStatusOf } from './kube-status.js';

const EVENT_MESSAGE_MAX = 1024;

/**
 * The audit's writes through the API server: core/v1 Events (RBAC: events create) and merge patches of
 * a Pod's metadata (RBAC: pods patch, only with --audit-annotate). An Event's name is derived from the
 * Pod and the message, so the same finding is recorded once, whichever replica audits.
 */
export function kubeAuditWriter(kube: KubeConfig, reportingInstance: string): AuditWriter {
  const core = kube.makeApiClient(CoreV1Api);
  return {
    async recordEvent(pod, event) {
      try {
        await core.createNamespacedEvent({
          namespace: pod.namespace,
          body: eventBody(pod, event, reportingInstance),
        });
        return 'created';
      } catch (error) {
        if (kubeStatusOf(error)?.code === 409) return 'exists';
        throw error;
      }
    },
    async markPod(pod, marks) {
      await core.patchNamespacedPod(
        {
          name: pod.name,
          namespace: pod.namespace,
          // The uid precondition: a Pod recreated under the same name is not marked by mistake.
          body: { metadata: { uid: pod.uid, annotations: marks.annotations, labels: marks.labels } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
  };
}

function eventName(pod: PodRef, event: PodEvent): string {
  const digest = createHash('sha256').update(`${pod.uid}\n${event.reason}\n${event.message}`).digest('hex');
  return `${pod.name.slice(0, 200)}.signet-${digest.slice(0, 16)}`;
}

function eventBody(pod: PodRef, event: PodEvent, reportingInstance: string): CoreV1Event {
  const now = new Date();
  const message =
    event.message.length <= EVENT_MESSAGE_MAX
      ? event.message
      : `${event.message.slice(0, EVENT_MESSAGE_MAX - 1)}…`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(pod, event), namespace: pod.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
    reason: event.reason,
    message,
    type: 'Warning',
    source: { component: 'signet-webhook' },
    reportingComponent: 'signet.dev/audit',
    reportingInstance: reportingInstance.slice(0, 128),
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}
