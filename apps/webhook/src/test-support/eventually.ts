/**
 * How long a test waits for something that will happen (a watch event, a reload, a renewal): long
 * enough for a 2-core machine running other suites beside this one; the wait ends as soon as it happens.
 */
const PATIENCE_MS = 60_000;

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and returns that; fails
 * naming `what` after `withinMs`. For waiting on an event the test cannot subscribe to.
 */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'the condition',
  withinMs = PATIENCE_MS,
): Promise<T> {
  const giveUpAt = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > giveUpAt) throw new Error(`${what} did not happen within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
