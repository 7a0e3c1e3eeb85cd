import { describe, expect, it } from 'vitest';
import { seedOccurrences } from './google/seed.js';
import { startEmulator } from './server.js';
import { recordedCases, recordedFixture, unmask } from './test-support/gcloud-528.js';
import { type Bindings, matches } from './test-support/recorded-match.js';

/** Every Container Analysis request of testdata/gcloud-528, against the README's fixture. */

const caseNames = recordedCases().filter((c) => c.requests.some((r) => r.api === 'containeranalysis'));

describe('the Google flavour answers every Container Analysis request gcloud 528 sent', () => {
  it('the fixture has the README`s eight occurrences', () => {
    expect(recordedFixture().map((o) => String(o.name).slice(-2))).toEqual([
      '01',
      '02',
      '03',
      '11',
      '12',
      '13',
      '21',
      '22',
    ]);
  });

  for (const recorded of caseNames) {
    it(recorded.name, async () => {
      const emulator = await startEmulator({ flavor: 'google' });
      try {
        seedOccurrences(emulator.store, 'v1', recordedFixture());
        const bindings: Bindings = new Map();
        const tokens = new Map<string, string>();
        for (const r of recorded.requests.filter((x) => x.api === 'containeranalysis')) {
          const query = new URLSearchParams(
            Object.entries(r.query).map(([k, v]): [string, string] => [
              k,
              k === 'pageToken' ? (tokens.get(v) ?? v) : v,
            ]),
          );
          const answer = await fetch(`${emulator.url}${r.path}?${query}`, {
            method: r.method,
            ...(r.body !== null
              ? { body: JSON.stringify(unmask(r.body)), headers: { 'content-type': 'application/json' } }
              : {}),
          });
          const actual = (await answer.json()) as Record<string, unknown>;
          expect(answer.status, JSON.stringify(actual)).toBe(r.response.status);
          const { nextPageToken: expectedToken, ...expected } = r.response.body;
          const { nextPageToken: actualToken, ...rest } = actual;
          expect(actualToken === undefined, 'a next page exactly when the stub had one').toBe(
            expectedToken === undefined,
          );
          if (typeof expectedToken === 'string') tokens.set(expectedToken, String(actualToken));
          expect(matches(expected, rest, bindings), `${r.method} ${r.path}\n${JSON.stringify(rest)}`).toBe(
            true,
          );
        }
      } finally {
        await emulator.close();
      }
    });
  }
});
