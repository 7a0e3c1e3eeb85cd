import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** testdata/gcloud-528: every request gcloud 528 sent, recorded against stubs of Google's JSON. */
interface RecordedRequest {
  api: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  response: { status: number; body: Record<string, unknown> };
}

export interface RecordedCase {
  name: string;
  argv: string[];
  requests: RecordedRequest[];
  stdout: string;
}

export function recordedCases(): RecordedCase[] {
  return readFileSync(join(process.env.SIGNET_TESTDATA!, 'gcloud-528', 'cases.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCase);
}

/** Signatures are masked in the recording; any bytes stand in for them. */
/** 12 bytes: base64 without padding, which gcloud's decoder would otherwise insist on. */
const STAND_IN_SIGNATURE = Buffer.from('signature 01').toString('base64url');

export function unmask<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('{{sig}}', STAND_IN_SIGNATURE)) as T;
}

/**
 * The README's fixture, read back from what the stub answered: occurrences 01-03 and 11-13 under
 * projects/demo-proj and 21-22 under its `us` location, each as the stub listed it.
 */
export function recordedFixture(): Record<string, unknown>[] {
  const byName = new Map<string, Record<string, unknown>>();
  for (const c of recordedCases()) {
    for (const r of c.requests) {
      const listed = r.api === 'containeranalysis' ? r.response.body.occurrences : undefined;
      for (const o of (listed ?? []) as Record<string, unknown>[]) {
        if (String(o.name).includes('/occurrences/00000000-')) byName.set(String(o.name), o);
      }
    }
  }
  const id = (o: Record<string, unknown>) => String(o.name).slice(-2);
  return unmask([...byName.values()].sort((a, b) => id(a).localeCompare(id(b))));
}
