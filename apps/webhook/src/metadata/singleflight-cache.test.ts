import { describe, expect, it } from 'vitest';
import { type LookupResult, SingleflightCache } from './singleflight-cache.js';

const settings = { maxEntries: 3, ttlMs: 60_000, emptyTtlMs: 60_000, loadTimeoutMs: 5_000 };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** "Nothing found" kept 10 s and refreshed in the background when asked for once it is 1 s old. */
function revalidatingCache() {
  const clock = { now: 1_000 };
  const cache = new SingleflightCache<string[]>(
    { ...settings, emptyTtlMs: 10_000, revalidateEmptyAfterMs: 1_000 },
    undefined,
    undefined,
    () => clock.now,
  );
  return { cache, clock };
}

describe('SingleflightCache', () => {
  it('shares one load between concurrent lookups of a key, then serves hits', async () => {
    const results: LookupResult[] = [];
    const cache = new SingleflightCache<string[]>(settings, (r) => results.push(r));
    let loads = 0;
    const gate = deferred<string[]>();
    const load = () => {
      loads += 1;
      return gate.promise;
    };
    const lookups = Array.from({ length: 50 }, () => cache.get('sha256:a', load));
    gate.resolve(['occurrence']);
    expect(await Promise.all(lookups)).toEqual(Array.from({ length: 50 }, () => ['occurrence']));
    expect(await cache.get('sha256:a', load)).toEqual(['occurrence']);
    expect(loads).toBe(1);
    expect(results.filter((r) => r === 'miss')).toHaveLength(1);
    expect(results.filter((r) => r === 'shared')).toHaveLength(49);
    expect(results.at(-1)).toBe('hit');
  });

  it('loads distinct keys in parallel', async () => {
    const cache = new SingleflightCache<string[]>(settings);
    let running = 0;
    let peak = 0;
    const load = async (key: string) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return [key];
    };
    await Promise.all(['a', 'b', 'c'].map((key) => cache.get(key, () => load(key))));
    expect(peak).toBe(3);
  });

  it('never caches a failure: the next lookup loads again', async () => {
    const cache = new SingleflightCache<string[]>(settings);
    await expect(cache.get('k', async () => Promise.reject(new Error('store down')))).rejects.toThrow(
      'store down',
    );
    expect(cache.pending).toBe(0);
    expect(await cache.get('k', async () => ['fresh'])).toEqual(['fresh']);
  });

  it('keeps "nothing found" only for the short TTL, and what was found for the long one', async () => {
    let now = 1_000;
    const cache = new SingleflightCache<string[]>(
      { ...settings, emptyTtlMs: 30 },
      undefined,
      undefined,
      () => now,
    );
    const loads: string[] = [];
    const load = (key: string, found: string[]) => async () => {
      loads.push(key);
      return found;
    };
    await cache.get('empty', load('empty', []));
    await cache.get('found', load('found', ['occurrence']));
    now += 29;
    await cache.get('empty', load('empty', []));
    expect(loads).toEqual(['empty', 'found']);
    now += 2;
    await cache.get('empty', load('empty', []));
    await cache.get('found', load('found', ['occurrence']));
    expect(loads).toEqual(['empty', 'found', 'empty']);
    now += settings.ttlMs;
    await cache.get('found', load('found', ['occurrence']));
    expect(loads).toEqual(['empty', 'found', 'empty', 'found']);
  });

  it('answers a stale "nothing found" as it is while one load refreshes it; the next lookup sees what was written', async () => {
    const { cache, clock } = revalidatingCache();
    let stored: string[] = [];
    let loads = 0;
    const gate = deferred<void>();
    const load = async () => {
      loads += 1;
      if (loads > 1) await gate.promise;
      return stored;
    };
    expect(await cache.get('k', load)).toEqual([]);
    stored = ['signature'];
    clock.now += 999;
    expect(await cache.get('k', load)).toEqual([]);
    expect(loads).toBe(1);
    clock.now += 1;
    // Old enough: answered at once from the cache, one load in the background (not two).
    expect(await cache.get('k', load)).toEqual([]);
    expect(await cache.get('k', load)).toEqual([]);
    expect(loads).toBe(2);
    gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('k', load)).toEqual(['signature']);
    expect(loads).toBe(2);
  });

  it('keeps a stale "nothing found" when its refresh fails, and never refreshes what was found', async () => {
    const { cache, clock } = revalidatingCache();
    await cache.get('empty', async () => []);
    await cache.get('found', async () => ['occurrence']);
    clock.now += 5_000;
    let failures = 0;
    const failing = async (): Promise<string[]> => {
      failures += 1;
      throw new Error('store down');
    };
    expect(await cache.get('empty', failing)).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toBe(1);
    expect(await cache.get('empty', failing)).toEqual([]);
    expect(failures).toBe(2);
    expect(await cache.get('found', failing)).toEqual(['occurrence']);
    expect(failures).toBe(2);
  });

  it('stays bounded, evicting the least recently used', async () => {
    const cache = new SingleflightCache<string[]>(settings);
    for (const key of ['a', 'b', 'c', 'd', 'e']) await cache.get(key, async () => [key]);
    expect(cache.size).toBe(3);
    let reloaded = false;
    await cache.get('a', async () => {
      reloaded = true;
      return ['a'];
    });
    expect(reloaded).toBe(true);
  });

  it('abandons a load that takes longer than loadTimeoutMs', async () => {
    const cache = new SingleflightCache<string[]>({ ...settings, loadTimeoutMs: 30 });
    const result = cache.get(
      'k',
      (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('load timed out'))),
        ),
    );
    await expect(result).rejects.toThrow('load timed out');
  });
});
