import { describe, expect, it } from 'vitest';
import { parseCli } from '../test-support/parse-cli.js';

const parse = (args: string[]) => parseCli(['--insecure-http', ...args]);

describe('the index options (backends that ignore filters)', () => {
  it('default to auto detection, a 10 s refresh and a 5 min maximum age', async () => {
    const { options } = await parse([]);
    expect(options).toMatchObject({
      index: 'auto',
      indexRefreshMs: 10_000,
      indexMaxAgeMs: 300_000,
      indexMaxOccurrences: 200_000,
    });
  });

  it('read every index option', async () => {
    const { options } = await parse([
      '--index',
      'on',
      '--index-refresh',
      '2s',
      '--index-max-age',
      '1m',
      '--index-max-occurrences',
      '1000',
    ]);
    expect(options).toMatchObject({
      index: 'on',
      indexRefreshMs: 2_000,
      indexMaxAgeMs: 60_000,
      indexMaxOccurrences: 1000,
    });
  });

  it.each([
    [['--index', 'sometimes'], /Allowed choices are auto, on, off/],
    [['--index-refresh', 'soon'], /expected a duration/],
    [['--index-max-occurrences', '0'], /expected a whole number/],
  ])('%j is refused with a clear message', async (args, message) => {
    const { options, err } = await parse(args);
    expect(options).toBeUndefined();
    expect(err).toMatch(message);
  });
});
