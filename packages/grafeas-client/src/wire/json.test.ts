import { describe, expect, it } from 'vitest';
import { camelizeKeys } from './json.js';

describe('camelizeKeys', () => {
  it('returns lowerCamel input as it is, without a copy', () => {
    const occurrence = JSON.parse(
      '{"name":"projects/p/occurrences/1","noteName":"projects/p/notes/n","attestation":{"signatures":[{"publicKeyId":"k"}]}}',
    );
    expect(camelizeKeys(occurrence)).toBe(occurrence);
  });

  it('renames proto names at any depth and keeps what needs no renaming', () => {
    const conflicts: string[] = [];
    const input = JSON.parse(
      '{"note_name":"n","resource":{"uri":"u"},"details":[{"fixed_location":{"cpe_uri":"c"}}]}',
    );
    expect(camelizeKeys(input, conflicts)).toEqual({
      noteName: 'n',
      resource: { uri: 'u' },
      details: [{ fixedLocation: { cpeUri: 'c' } }],
    });
    expect(conflicts).toEqual([]);
  });

  it('names a field given in both spellings with different values, keeping the lowerCamel one', () => {
    const conflicts: string[] = [];
    const out = camelizeKeys(JSON.parse('{"note_name":"a","noteName":"b","kind":"X"}'), conflicts);
    expect(out).toEqual({ noteName: 'b', kind: 'X' });
    expect(conflicts).toEqual(['noteName']);
  });

  it('drops a "__proto__" key that JSON.parse made an own property', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"name":"x"}');
    const out = camelizeKeys(input) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
