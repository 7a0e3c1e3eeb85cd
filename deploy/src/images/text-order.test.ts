import { expect, it } from 'vitest';
import { byText } from './text-order.js';

it('orders by code unit, not by locale: capitals before small letters, scopes first', () => {
  expect(['b', 'a', 'B', '@scope/x', 'a'].sort(byText)).toEqual(['@scope/x', 'B', 'a', 'a', 'b']);
  expect(['ä', 'z'].sort(byText)).toEqual(['z', 'ä']);
});
