import { SigningError } from '../signing-error.js';

/** The SigningError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): SigningError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SigningError) return error;
    throw error;
  }
  throw new Error('expected a SigningError');
}
