import { describe, expect, it } from 'vitest';
import { ResolutionCache } from './resolution-cache.js';

function counting() {
  let calls = 0;
  const compute = async () => `value-${++calls}`;
  return { compute, calls: () => calls };
}

describe('ResolutionCache', () => {
  it('keeps a value for the TTL on its clock, then computes again', async () => {
    let now = 1_000;
    const cache = new ResolutionCache<string>(30_000, 10, () => now);
    const c = counting();
    expect(await cache.get('k', c.compute)).toEqual({ value: 'value-1', cached: false });
    now += 29_999;
    expect(await cache.get('k', c.compute)).toEqual({ value: 'value-1', cached: true });
    now += 1;
    expect(await cache.get('k', c.compute)).toEqual({ value: 'value-2', cached: false });
    expect(c.calls()).toBe(2);
  });

  it('shares one computation among concurrent callers of a key', async () => {
    const cache = new ResolutionCache<string>(30_000, 10, () => 0);
    let release: (value: string) => void = () => {};
    let calls = 0;
    const compute = () => {
      calls++;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const waiting = Array.from({ length: 20 }, () => cache.get('k', compute));
    release('shared');
    const results = await Promise.all(waiting);
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(['shared']));
  });

  it('keeps no failure: the next caller computes again', async () => {
    const cache = new ResolutionCache<string>(30_000, 10, () => 0);
    await expect(cache.get('k', async () => Promise.reject(new Error('registry down')))).rejects.toThrow(
      'registry down',
    );
    expect(await cache.get('k', async () => 'up')).toEqual({ value: 'up', cached: false });
  });

  it('holds at most maxEntries, dropping the least recently used', async () => {
    const cache = new ResolutionCache<string>(30_000, 2, () => 0);
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    await cache.get('a', async () => 'a2'); // a is now the most recent
    await cache.get('c', async () => 'c1');
    expect(cache.size).toBe(2);
    expect((await cache.get('a', async () => 'a3')).value).toBe('a1');
    expect((await cache.get('b', async () => 'b2')).value).toBe('b2');
  });

  it('a caller that gives up does not stop the others waiting on the same computation', async () => {
    const cache = new ResolutionCache<string>(30_000, 10, () => 0);
    let release: (value: string) => void = () => {};
    const compute = () =>
      new Promise<string>((resolve) => {
        release = resolve;
      });
    const impatient = new AbortController();
    const first = cache.get('k', compute, impatient.signal);
    const second = cache.get('k', compute);
    impatient.abort(new Error('deadline'));
    await expect(first).rejects.toThrow('deadline');
    release('late');
    expect((await second).value).toBe('late');
    expect(await cache.get('k', compute)).toEqual({ value: 'late', cached: true });
  });
});
