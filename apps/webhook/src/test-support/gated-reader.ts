import type { MetadataStore, OccurrenceScope } from '@signet/grafeas-client';

type Store = Pick<
  MetadataStore,
  'backend' | 'visitOccurrences' | 'filterSupport' | 'listNoteOccurrences' | 'listImageOccurrences'
>;

/** A read held until released: `reached` resolves once a matching read has started. */
export interface HeldRead {
  reached: Promise<void>;
  release(): void;
}

/**
 * A real store whose whole-scope reads (`visitOccurrences`) are counted and can be held at a gate or
 * made to fail, one scope at a time: how a slow or failing backend looks to the index, without sleeps.
 */
export class GatedReader implements Store {
  /** Whole-scope reads started, by scope (`note N` or `project P`). */
  readonly reads: string[] = [];
  private readonly gates: { scope: string; opened: Promise<void>; reached: () => void }[] = [];
  private readonly failures = new Map<string, Error>();

  constructor(private readonly store: Store) {}

  get backend(): string {
    return this.store.backend;
  }

  /** Holds the reads of `scope` from now until `release()`. */
  hold(scope: string): HeldRead {
    let release = () => {};
    let reached = () => {};
    const opened = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const gate = { scope, opened, reached };
    this.gates.push(gate);
    return {
      reached: reachedPromise,
      release: () => {
        this.gates.splice(this.gates.indexOf(gate), 1);
        release();
      },
    };
  }

  /** The next read of `scope` fails with `error`. */
  failNext(scope: string, error: Error): void {
    this.failures.set(scope, error);
  }

  async visitOccurrences(
    ...args: Parameters<Store['visitOccurrences']>
  ): ReturnType<Store['visitOccurrences']> {
    const scope = labelOf(args[0]);
    this.reads.push(scope);
    for (const gate of this.gates.filter((g) => g.scope === scope)) {
      gate.reached();
      await gate.opened;
    }
    const failure = this.failures.get(scope);
    if (failure) {
      this.failures.delete(scope);
      throw failure;
    }
    return this.store.visitOccurrences(...args);
  }

  filterSupport(...args: Parameters<Store['filterSupport']>): ReturnType<Store['filterSupport']> {
    return this.store.filterSupport(...args);
  }

  listNoteOccurrences(
    ...args: Parameters<Store['listNoteOccurrences']>
  ): ReturnType<Store['listNoteOccurrences']> {
    return this.store.listNoteOccurrences(...args);
  }

  listImageOccurrences(
    ...args: Parameters<Store['listImageOccurrences']>
  ): ReturnType<Store['listImageOccurrences']> {
    return this.store.listImageOccurrences(...args);
  }
}

function labelOf(scope: OccurrenceScope): string {
  return 'noteName' in scope ? `note ${scope.noteName}` : `project ${scope.project}`;
}
