import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedOccurrences } from './google/seed.js';
import { type Bindings, matches } from './recorded-match.js';
import { startEmulator } from './server.js';

/** ../shared/testdata/gcloud-528: every request gcloud 528 sent, recorded against stubs of Google's v1 JSON. */
interface RecordedRequest {
  api: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  response: { status: number; body: Record<string, unknown> };
}

interface Case {
  name: string;
  requests: RecordedRequest[];
}

const cases = readFileSync(join(process.env.SIGNET_TESTDATA!, 'gcloud-528', 'cases.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Case);

/** Signatures are masked in the recording; any bytes stand in for them. */
const SIGNATURE = Buffer.from('a signature').toString('base64url');

function unmask(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll('{{sig}}', SIGNATURE));
}

/**
 * The README's fixture, read back from what the stub answered: occurrences 01-03, 11-13 under
 * projects/demo-proj and 21-22 under its `us` location, each as the stub listed it.
 */
function fixture(): Record<string, unknown>[] {
  const byName = new Map<string, Record<string, unknown>>();
  for (const c of cases) {
    for (const r of c.requests) {
      const listed = r.api === 'containeranalysis' ? r.response.body.occurrences : undefined;
      for (const o of (listed ?? []) as Record<string, unknown>[]) {
        if (String(o.name).includes('/occurrences/00000000-')) byName.set(String(o.name), o);
      }
    }
  }
  return [...byName.values()].sort((a, b) =>
    String(a.name).slice(-2).localeCompare(String(b.name).slice(-2)),
  );
}

const caseNames = cases.filter((c) => c.requests.some((r) => r.api === 'containeranalysis'));

describe('the Google flavour answers every Container Analysis request gcloud 528 sent', () => {
  it('the fixture has the README`s eight occurrences', () => {
    expect(fixture().map((o) => String(o.name).slice(-2))).toEqual([
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
        seedOccurrences(emulator.store, 'v1', unmask(fixture()) as Record<string, unknown>[]);
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
