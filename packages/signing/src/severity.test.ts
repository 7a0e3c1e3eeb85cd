import { describe, expect, it } from 'vitest';
import { judgeFixAvailable, readSeverity } from './severity.js';

describe('readSeverity', () => {
  it.each([
    ['CRITICAL', 'CRITICAL'],
    ['critical', 'CRITICAL'],
    [' High ', 'HIGH'],
    [5, 'CRITICAL'],
    ['1', 'MINIMAL'],
    [0, 'NONE'],
    ['0', 'NONE'],
    ['SEVERITY_UNSPECIFIED', 'NONE'],
    [undefined, 'NONE'],
    [null, 'NONE'],
    [6, 'UNKNOWN'],
    [-1, 'UNKNOWN'],
    [2.5, 'UNKNOWN'],
    ['', 'UNKNOWN'],
    ['SEVERE', 'UNKNOWN'],
    ['constructor', 'UNKNOWN'],
    [true, 'UNKNOWN'],
    [{}, 'UNKNOWN'],
  ])('%j reads as %s', (value, reading) => {
    expect(readSeverity(value)).toBe(reading);
  });
});

describe('judgeFixAvailable', () => {
  it.each([
    [[true], true],
    [[false, true], true],
    [['true'], true],
    [[false, 'false'], true],
    [[1], true],
    [[false, false], false],
    [[undefined, null, false], false],
    [[], false],
  ])('%j → %s', (flags, fixable) => {
    expect(judgeFixAvailable(flags)).toBe(fixable);
  });
});
