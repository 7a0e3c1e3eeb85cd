import type { Readiness } from '../server/app.js';

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
