/** One complete read of a scope (a note or a project), by resource. */
export interface ScopeSnapshot<V> {
  byResource: ReadonlyMap<string, V>;
  /** Occurrences read. */
  size: number;
  /** When the read started: everything stored before then is in it (on a server whose paging works). */
  readAt: number;
  /** How long the read took. */
  readMs: number;
  /** When the read completed (readAt + readMs). */
  completedAt: number;
}

export function snapshotOf<V>(
  byResource: ReadonlyMap<string, V>,
  size: number,
  startedAt: number,
  endedAt: number,
): ScopeSnapshot<V> {
  const readMs = Math.max(0, endedAt - startedAt);
  return { byResource, size, readAt: startedAt, readMs, completedAt: startedAt + readMs };
}
