import { describe, expect, it } from 'vitest';
import { parseDuration } from './index.js';

describe('parseDuration', () => {
  it.each([
    ['5s', 5000],
    ['1m0s', 60_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['1500us', 1.5],
    [' 2m ', 120_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '5', '5x', '-5s', '5s junk', 'h1', '1e9s'.repeat(10)])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('reads a bare number as seconds only when asked to', () => {
    expect(parseDuration('90', { bareSeconds: true })).toBe(90_000);
    expect(parseDuration('0.25', { bareSeconds: true })).toBe(250);
    expect(parseDuration('90')).toBeUndefined();
  });
});
