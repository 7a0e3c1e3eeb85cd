import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { kubeStatusOf } from './kube-status.js';
import type { LeaseApi, LeaseRecord } from './lease-election.js';

/** The audit's Lease through the coordination.k8s.io/v1 API (RBAC: leases get/create/update in the namespace). */
export function kubeLeaseApi(kube: KubeConfig, namespace: string, name: string): LeaseApi {
  const api = kube.makeApiClient(CoordinationV1Api);
  return {
    async read() {
      try {
        return recordOf(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (kubeStatusOf(error)?.code === 404) return undefined;
        throw error;
      }
    },
    async create(record) {
      try {
        return recordOf(
          await api.createNamespacedLease({ namespace, body: leaseBody(namespace, name, record) }),
        );
      } catch (error) {
        if (kubeStatusOf(error)?.code === 409) return 'conflict';
        throw error;
      }
    },
    async replace(record) {
      try {
        const body = leaseBody(namespace, name, record);
        return recordOf(await api.replaceNamespacedLease({ name, namespace, body }));
      } catch (error) {
        const code = kubeStatusOf(error)?.code;
        if (code === 409 || code === 404) return 'conflict';
        throw error;
      }
    },
  };
}

function leaseBody(namespace: string, name: string, record: LeaseRecord): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      ...(record.resourceVersion ? { resourceVersion: record.resourceVersion } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'signet-webhook' },
    },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: new V1MicroTime(record.acquireTime),
      renewTime: new V1MicroTime(record.renewTime),
      leaseTransitions: record.leaseTransitions,
    },
  };
}

function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
    acquireTime: timeOf(spec.acquireTime),
    renewTime: timeOf(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
    ...(lease.metadata?.resourceVersion ? { resourceVersion: lease.metadata.resourceVersion } : {}),
  };
}

function timeOf(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}
