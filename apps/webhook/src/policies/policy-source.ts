import type { Readiness } from '../monitoring/readiness.js';

/** One custom resource as found in a file or in the cluster, not yet validated. */
export interface PolicyDocument {
  /** Where it came from, for messages: `file.yaml#2` or `kubernetes:AttestationAuthority/ns/name`. */
  source: string;
  namespace: string;
  document: unknown;
}

/** Something that could not even be read as a resource. `namespace` undefined: it may concern any. */
export interface PolicyProblem {
  source: string;
  namespace: string | undefined;
  message: string;
}

/** Everything a policy source holds at one moment; `generation` grows with each change. */
export interface PolicySnapshot {
  generation: number;
  documents: readonly PolicyDocument[];
  problems: readonly PolicyProblem[];
}

/** Where the custom resources come from: a folder (`--policies`) or the cluster (`--kubernetes`). */
export interface PolicySource {
  snapshot(): PolicySnapshot;
  readiness(): Readiness;
  /** Called after each change of the snapshot. */
  onChange(listener: (snapshot: PolicySnapshot) => void): void;
  start(): Promise<void>;
  close(): Promise<void>;
}

type SnapshotListener = (snapshot: PolicySnapshot) => void;

/**
 * The listeners of a policy source. Each is called on its own, so one that throws neither keeps the
 * others from the snapshot nor stops the source: its error goes to `failed`, and `retry` calls it again
 * (a source's next scan) with the snapshot in force then.
 */
export class SnapshotListeners {
  private readonly listeners: SnapshotListener[] = [];
  private readonly owed = new Set<SnapshotListener>();

  constructor(private readonly failed: (error: unknown) => void) {}

  add(listener: SnapshotListener): void {
    this.listeners.push(listener);
  }

  notify(snapshot: PolicySnapshot): void {
    this.call(this.listeners, snapshot);
  }

  /** Calls the listeners that threw last time again, with `snapshot`. */
  retry(snapshot: PolicySnapshot): void {
    if (this.owed.size > 0) this.call([...this.owed], snapshot);
  }

  private call(listeners: readonly SnapshotListener[], snapshot: PolicySnapshot): void {
    for (const listener of listeners) {
      try {
        listener(snapshot);
        this.owed.delete(listener);
      } catch (error) {
        this.owed.add(listener);
        this.failed(error);
      }
    }
  }
}

/** A source that never changes: for tests, the bench and the embedded defaults. */
export function staticPolicySource(documents: readonly PolicyDocument[]): PolicySource {
  const snapshot: PolicySnapshot = { generation: 1, documents, problems: [] };
  return {
    snapshot: () => snapshot,
    readiness: () => ({ ready: true, reasons: [] }),
    onChange: () => {},
    start: async () => {},
    close: async () => {},
  };
}
