/** A resolved digest, kept until `expiresAt` (ms on the cache's clock). */
interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Answers by key for a time-to-live, at most `maxEntries` of them (the least recently used go first),
 * and one computation at a time per key: callers asking while it runs share its result. Failures are
 * not kept. Each caller may give up on its own signal without stopping the shared computation.
 */
export class ResolutionCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** The cached value, or `compute`'s (shared with concurrent callers of the same key). */
  async get(
    key: string,
    compute: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<{ value: T; cached: boolean }> {
    const hit = this.#fresh(key);
    if (hit !== undefined) return { value: hit.value, cached: true };
    let flight = this.#inFlight.get(key);
    if (flight === undefined) {
      flight = this.#run(key, compute);
      this.#inFlight.set(key, flight);
    }
    return { value: await abortable(flight, signal), cached: false };
  }

  async #run(key: string, compute: () => Promise<T>): Promise<T> {
    try {
      const value = await compute();
      this.#entries.delete(key);
      this.#entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
      while (this.#entries.size > this.maxEntries)
        this.#entries.delete(this.#entries.keys().next().value as string);
      return value;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #fresh(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
