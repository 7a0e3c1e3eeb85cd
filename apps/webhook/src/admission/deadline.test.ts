import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetFromTimeout, DEFAULT_DEADLINE_SETTINGS, ReviewDeadline } from './deadline.js';

describe('budgetFromTimeout', () => {
  const settings = DEFAULT_DEADLINE_SETTINGS;

  it('subtracts the safety margin from the API server timeout', () => {
    expect(budgetFromTimeout('5s', settings)).toBe(4500);
    expect(budgetFromTimeout('30s', settings)).toBe(29_500);
  });

  it('uses the API server default (10s) when there is no usable timeout', () => {
    for (const value of [undefined, '', 'soon', ['5s', '6s'], '0s']) {
      expect(budgetFromTimeout(value, settings)).toBe(9500);
    }
  });

  it('never plans past 30 s, the API server maximum', () => {
    expect(budgetFromTimeout('10m', settings)).toBe(29_500);
  });

  it('keeps a quarter of a short timeout as margin', () => {
    expect(budgetFromTimeout('1s', settings)).toBe(750);
    expect(budgetFromTimeout('200ms', settings)).toBe(150);
  });

  it('always leaves room to answer before the timeout, for any timeout from 1 to 30 s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), (ms) => {
        const budget = budgetFromTimeout(`${ms}ms`, settings);
        return budget >= 1 && (ms < 2000 ? budget <= Math.max(1, ms * 0.75) : budget === ms - 500);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ReviewDeadline', () => {
  it('counts down its budget on its clock, and has nothing left once expired', () => {
    let now = 1_000;
    const deadline = new ReviewDeadline(3_000, () => now);
    expect(deadline.remainingMs()).toBe(3_000);
    now += 2_500;
    expect(deadline.remainingMs()).toBe(500);
    now += 1_000;
    expect(deadline.remainingMs()).toBe(0);
    const expiring = new ReviewDeadline(3_000, () => now);
    expiring.expire();
    expect(expiring.remainingMs()).toBe(0);
  });
});
