/** A Pod the audit writes about. */
export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface PodEvent {
  reason: string;
  message: string;
}

/** Label and annotation changes; `null` removes one. */
export interface PodMarks {
  annotations: Record<string, string | null>;
  labels: Record<string, string | null>;
}

/**
 * Every write the audit makes: Events about Pods, and (with --audit-annotate) metadata patches.
 * Never anything else: no eviction, no deletion, no change to a spec.
 */
export interface AuditWriter {
  /** Creates the Event; `exists` when the same one was already recorded (by this or another replica). */
  recordEvent(pod: PodRef, event: PodEvent): Promise<'created' | 'exists'>;
  markPod(pod: PodRef, marks: PodMarks): Promise<void>;
}
