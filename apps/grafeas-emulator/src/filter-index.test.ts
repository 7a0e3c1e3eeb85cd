import { describe, expect, it } from 'vitest';
import { parseFilter, requiredResources } from './filter.js';

describe('the resources a filter requires (the index narrows a listing to them)', () => {
  it.each([
    ['resourceUrl = "https://r/a@sha256:1"', ['https://r/a@sha256:1']],
    ['(resourceUrl = "https://r/a") OR (resourceUrl = "r/a")', ['https://r/a', 'r/a']],
    [
      '((resourceUrl = "https://r/a") OR (resourceUrl = "r/a")) AND kind = "VULNERABILITY"',
      ['https://r/a', 'r/a'],
    ],
    ['kind = "ATTESTATION" AND resourceUrl = "x"', ['x']],
  ])('%s -> %j', (filter, resources) => {
    expect(requiredResources(parseFilter(filter))).toEqual(resources);
  });

  it.each([
    'kind = "ATTESTATION"',
    'resourceUrl = "x" OR kind = "ATTESTATION"',
    'NOT resourceUrl = "x"',
    'has_suffix(resourceUrl, "sha256:1")',
    'resourceUrl != "x"',
  ])('%s -> no narrowing (every row of the scope is filtered)', (filter) => {
    expect(requiredResources(parseFilter(filter))).toBeUndefined();
  });
});
