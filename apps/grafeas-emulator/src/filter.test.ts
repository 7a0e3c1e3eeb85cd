import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { type Filter, filterSubject, matchesFilter, parseFilter } from './filter.js';

const IMG = 'us-docker.pkg.dev/demo-proj/repo/app@sha256:9f99';
const attestation = filterSubject('ATTESTATION', IMG, 'projects/demo-proj/notes/n1');
const build = filterSubject('BUILD', `https://${IMG}`, 'projects/goog/notes/b');
const discovery = filterSubject('DISCOVERY', 'https://other/x@sha256:1', 'projects/goog/notes/d');

function matching(filter: string) {
  const parsed = parseFilter(filter);
  return [attestation, build, discovery].filter((s) => matchesFilter(parsed, s)).map((s) => s.kind);
}

function rejection(filter: string): string {
  try {
    parseFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).httpStatus).toBe(400);
    return (error as ApiError).message;
  }
  throw new Error(`${filter} parsed`);
}

describe('the Container Analysis filter grammar', () => {
  it('evaluates the filters gcloud 528 sends', () => {
    expect(
      matching(
        `((kind = "BUILD") OR (kind = "SBOM_REFERENCE")) AND ((resourceUrl = "https://${IMG}") OR (resourceUrl = "${IMG}"))`,
      ),
    ).toEqual(['BUILD']);
    expect(
      matching(
        `(has_prefix(resourceUrl, "https://us-docker.pkg.dev/demo-proj/repo") OR has_prefix(resourceUrl, "us-docker.pkg.dev/demo-proj/repo")) AND (kind="BUILD" OR kind="IMAGE" OR kind="DISCOVERY" OR kind="SBOM_REFERENCE")`,
      ),
    ).toEqual(['BUILD']);
    expect(matching(`(((kind = "DISCOVERY"))) AND ((resourceUrl = "https://other/x@sha256:1"))`)).toEqual([
      'DISCOVERY',
    ]);
    expect(matching('has_suffix(resourceUrl, "sha256:9f99")')).toEqual(['ATTESTATION', 'BUILD']);
    expect(matching('')).toEqual(['ATTESTATION', 'BUILD', 'DISCOVERY']);
  });

  it('NOT, !=, : (has), note fields, the resource_url synonym and bare values', () => {
    expect(matching('NOT kind="ATTESTATION"')).toEqual(['BUILD', 'DISCOVERY']);
    expect(matching('kind != "BUILD" AND NOT (noteProjectId = "demo-proj")')).toEqual(['DISCOVERY']);
    expect(matching('resource_url : "demo-proj"')).toEqual(['ATTESTATION', 'BUILD']);
    expect(matching('noteId="d" OR noteId="n1"')).toEqual(['ATTESTATION', 'DISCOVERY']);
    expect(matching('kind=ATTESTATION_AUTHORITY')).toEqual(['ATTESTATION']);
    expect(matching(`kind='BUILD'`)).toEqual(['BUILD']);
  });

  it('OR binds tighter than AND; terms side by side are ANDed (AIP-160)', () => {
    const parsed = parseFilter('kind="A" AND kind="B" OR kind="C"') as Filter & { op: 'and' };
    expect(parsed.op).toBe('and');
    expect(parsed.args[1]).toMatchObject({ op: 'or' });
    expect(matching('kind="BUILD" resourceUrl="https://other/x@sha256:1"')).toEqual([]);
    expect(matching('kind="DISCOVERY" resourceUrl="https://other/x@sha256:1"')).toEqual(['DISCOVERY']);
  });

  it('a quoted value keeps escaped quotes and parentheses', () => {
    expect(parseFilter('noteId = "a\\"b(c)"')).toEqual({ op: '=', field: 'noteId', value: 'a"b(c)' });
  });

  it('names the unsupported part in a 400', () => {
    expect(rejection('severity="HIGH"')).toContain('unsupported field "severity"');
    expect(rejection('starts_with(resourceUrl, "x")')).toContain('unsupported function "starts_with"');
    expect(rejection('kind > "A"')).toContain('unsupported operator ">"');
    expect(rejection('kind = "A" AND')).toContain('expected a field, a function or "(" at the end');
    expect(rejection('(kind = "A"')).toContain('expected ")" at the end');
    expect(rejection('kind = "A")')).toContain('unexpected ")"');
    expect(rejection('kind = "A')).toContain('unterminated string');
    expect(rejection('kind = OR')).toContain('unexpected "OR"');
    expect(rejection('has_prefix(resourceUrl "x")')).toContain('unexpected "x"');
    expect(rejection(`${'('.repeat(100)}kind="A"${')'.repeat(100)}`)).toContain('nested deeper');
  });

  it('never crashes: any input parses or is a 400 (fuzz)', () => {
    const pieces = fc.constantFrom(
      'kind',
      'resourceUrl',
      'resource_url',
      'noteId',
      'noteProjectId',
      'severity',
      '=',
      '!=',
      ':',
      '<',
      'AND',
      'OR',
      'NOT',
      '(',
      ')',
      ',',
      '"x"',
      "'y'",
      '"',
      '\\',
      'has_prefix',
      'has_suffix',
      '*',
      ' ',
    );
    const filters = fc.oneof(
      fc.string(),
      fc.array(pieces, { maxLength: 30 }).map((p) => p.join(' ')),
    );
    fc.assert(
      fc.property(filters, (filter) => {
        try {
          const parsed = parseFilter(filter);
          matchesFilter(parsed, attestation);
        } catch (error) {
          if (!(error instanceof ApiError) || error.httpStatus !== 400) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
