import { describe, expect, it } from 'vitest';
import { decodeGoBase64 } from './go-base64.js';

// Expectations printed by Go 1.19's encoding/json decoding each string into a []byte (what jsonpb does
// for a bytes field), re-encoded with base64.StdEncoding.
describe("decodeGoBase64 answers as Go's base64.StdEncoding does", () => {
  it.each([
    ['', ''],
    ['q83v/w==', 'q83v/w=='],
    ['q83v\n/w==', 'q83v/w=='],
    ['q83v\r\n/w=\n=', 'q83v/w=='],
    ['q83v/w==\n', 'q83v/w=='],
    ['ab\ncd', 'abcd'],
    ['abc=', 'abc='],
    ['ab==', 'aQ=='],
    ['YWJj\nZGVm', 'YWJjZGVm'],
  ])('accepts %j as %j', (input, canonical) => {
    expect(decodeGoBase64(input)).toBe(canonical);
  });

  it.each([
    ['q83v-_8=', 4],
    ['q83v/w', 4],
    ['eyJhIjoxfQ', 8],
    ['q83v/w=', 7],
    ['q83v/w==x', 8],
    ['q8=v', 2],
    ['=', 0],
    ['q83v/w=x', 6],
    ['q83v/w=\n', 8],
    ['a===', 1],
  ])('refuses %j at input byte %i', (input, at) => {
    expect(() => decodeGoBase64(input)).toThrow(`illegal base64 data at input byte ${at}`);
  });
});
