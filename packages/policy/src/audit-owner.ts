import { isRecord } from './parse.js';

/** The workload a Pod belongs to, for display: `Deployment web`, or the Pod itself. */
export interface WorkloadOwner {
  kind: string;
  name: string;
}

/** The controlling owner reference of an object (`ownerReferences[].controller: true`), if any. */
export function controllerOf(object: unknown): WorkloadOwner | undefined {
  const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : undefined;
  const references = Array.isArray(metadata?.ownerReferences) ? metadata.ownerReferences : [];
  for (const reference of references) {
    if (!isRecord(reference) || reference.controller !== true) continue;
    if (typeof reference.kind === 'string' && typeof reference.name === 'string') {
      return { kind: reference.kind, name: reference.name };
    }
  }
  return undefined;
}

/** Owners that have owners of their own worth showing: ReplicaSet → Deployment, Job → CronJob. */
export const INTERMEDIATE_OWNERS: readonly string[] = ['ReplicaSet', 'Job'];

/**
 * The workload to show for a Pod: its controller, and that controller's controller when it is a
 * ReplicaSet or a Job (`parentOf` answers from objects the caller read). Display only: the decision
 * is always about the Pod.
 */
export function workloadOwner(
  pod: unknown,
  parentOf: (owner: WorkloadOwner) => WorkloadOwner | undefined = () => undefined,
): WorkloadOwner {
  const owner = controllerOf(pod);
  if (!owner) {
    const metadata = isRecord(pod) && isRecord(pod.metadata) ? pod.metadata : {};
    return { kind: 'Pod', name: typeof metadata.name === 'string' ? metadata.name : '' };
  }
  if (!INTERMEDIATE_OWNERS.includes(owner.kind)) return owner;
  return parentOf(owner) ?? owner;
}
