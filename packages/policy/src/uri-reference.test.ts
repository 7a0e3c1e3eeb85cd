import { describe, expect, it } from 'vitest';
import { isUriReference } from './uri-reference.js';

describe('isUriReference (RFC 3986 URI-reference, as Binary Authorization requires of key ids)', () => {
  it.each([
    'ni:///sha-256;cD9o9Cq6LG3jD0iKXqEi_vdjJGecm_iXkbqVoScViaU',
    '//cloudkms.googleapis.com/v1/projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1',
    'openpgp4fpr:74FAF3B861BDA0870C7B6DEF607E48D2A663AEEA',
    'nih:///sha-256;703f68f42aba2c6de30f488a5ea12a',
    'https://example.com/keys/1?v=2#frag',
    'projects/k/keys/1',
    'urn:example:key',
    '//[2001:db8::1]:8443/k',
    'key%20one',
  ])('accepts %s', (id) => {
    expect(isUriReference(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a space', 'my key'],
    ['a bad percent escape', 'key%zz'],
    ['angle brackets', '<key>'],
    ['a colon in the first segment of a relative path', '1:key'],
    ['a backslash', 'a\\b'],
    ['a newline', 'ni:///x\n'],
    ['an unclosed IP literal', '//[::1/k'],
  ])('refuses %s', (_, id) => {
    expect(isUriReference(id)).toBe(false);
  });
});
