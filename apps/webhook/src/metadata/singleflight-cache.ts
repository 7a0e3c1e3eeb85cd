import { LRUCache } from 'lru-cache';

export interface CacheSettings {
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** Lifetime of a result that found something. */
  ttlMs: number;
  /** Lifetime of a result that found nothing: short, so a fresh signature is seen soon. */
  emptyTtlMs: number;
  /** A shared backend call is abandoned after this long, whoever still waits for it. */
  loadTimeoutMs: number;
  /**
   * A result that found nothing, asked for again once it is this old, is answered as it is while one
   * load refreshes it in the background: what was written since (a signature) is seen by the next
   * retry instead of after `emptyTtlMs`. Off when absent.
   */
  revalidateEmptyAfterMs?: number;
}

export const DEFAULT_CACHE_SETTINGS: CacheSettings = {
  maxEntries: 20_000,
  ttlMs: 5 * 60_000,
  emptyTtlMs: 10_000,
  loadTimeoutMs: 15_000,
};

export type LookupResult = 'hit' | 'miss' | 'shared';

interface Entry<V> {
  value: V;
}

/**
 * A bounded LRU with TTL in front of a loader, where concurrent lookups of one key share one load
 * (singleflight). Failures are never cached. A load is bounded by `loadTimeoutMs` only, never by a
 * review's deadline: other reviews may share it, and a late answer still fills the cache.
 */
export class SingleflightCache<V> {
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(
    private readonly settings: CacheSettings,
    private readonly onLookup: (result: LookupResult) => void = () => {},
    /** Values kept only `emptyTtlMs` ("nothing found yet" may change soon); default: empty lists. */
    private readonly isEmpty: (value: V) => boolean = (value) => Array.isArray(value) && value.length === 0,
    /** The clock of the TTLs (ms); tests give a fake one. Default: the LRU's own (`performance.now`). */
    clock?: () => number,
  ) {
    this.entries = new LRUCache<string, Entry<V>>({
      max: settings.maxEntries,
      ttl: settings.ttlMs,
      // The LRU would keep reading a clock for 1 ms of real time; a given clock is read every time.
      ...(clock ? { perf: { now: clock }, ttlResolution: 0 } : {}),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  async get(key: string, load: (signal: AbortSignal) => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached) {
      this.onLookup('hit');
      // A failed refresh keeps the entry (see `start`): the next lookup past the age tries again.
      if (this.isStaleEmpty(key, cached.value) && !this.inFlight.has(key)) this.start(key, load);
      return cached.value;
    }
    const running = this.inFlight.get(key);
    if (running) {
      this.onLookup('shared');
      return running;
    }
    this.onLookup('miss');
    return this.start(key, load);
  }

  clear(): void {
    this.entries.clear();
  }

  private isStaleEmpty(key: string, value: V): boolean {
    const after = this.settings.revalidateEmptyAfterMs;
    if (after === undefined || !this.isEmpty(value)) return false;
    return this.settings.emptyTtlMs - this.entries.getRemainingTTL(key) >= after;
  }

  private start(key: string, load: (signal: AbortSignal) => Promise<V>): Promise<V> {
    const loadSignal = AbortSignal.timeout(this.settings.loadTimeoutMs);
    const promise = Promise.resolve()
      .then(() => load(loadSignal))
      .then((value) => {
        const ttl = this.isEmpty(value) ? this.settings.emptyTtlMs : this.settings.ttlMs;
        this.entries.set(key, { value }, { ttl });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    // Nobody may be waiting any more when it fails (all callers timed out): that is not an unhandled rejection.
    promise.catch(() => {});
    this.inFlight.set(key, promise);
    return promise;
  }
}
