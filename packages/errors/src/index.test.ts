import { describe, expect, it } from 'vitest';
import { errorMessage, isSignetError, SignetError } from './index.js';

class ExampleError extends SignetError {}

describe('SignetError', () => {
  it('carries a stable code and a fix, and names itself after its subclass', () => {
    const cause = new Error('disk full');
    const error = new ExampleError('WRITE_FAILED', 'could not write the key', 'free some space', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(isSignetError(error)).toBe(true);
    expect([error.name, error.code, error.fix, error.cause]).toEqual([
      'ExampleError',
      'WRITE_FAILED',
      'free some space',
      cause,
    ]);
    expect(error.explain()).toBe('could not write the key\n  fix: free some space');
  });

  it('explains with the message alone when there is no fix', () => {
    expect(new SignetError('X', 'just this', '').explain()).toBe('just this');
  });

  it('is not claimed for other errors', () => {
    expect(isSignetError(new Error('plain'))).toBe(false);
    expect(isSignetError({ code: 'X', fix: 'y', message: 'duck' })).toBe(false);
  });
});

describe('errorMessage', () => {
  it('reads the message of an Error and stringifies anything else', () => {
    expect(errorMessage(new TypeError('bad type'))).toBe('bad type');
    expect(errorMessage('a string')).toBe('a string');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
