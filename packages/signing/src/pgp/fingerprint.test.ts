import { describe, expect, it } from 'vitest';
import { isV4Fingerprint, normalizeFingerprint } from './fingerprint.js';

describe('normalizeFingerprint', () => {
  it.each([
    ['88d27a9c701bd8391d372e5ccd415cbf850e2029', '88D27A9C701BD8391D372E5CCD415CBF850E2029'],
    ['openpgp4fpr:88d27a9c701bd8391d372e5ccd415cbf850e2029', '88D27A9C701BD8391D372E5CCD415CBF850E2029'],
    ['OPENPGP4FPR:88D27A9C701BD8391D372E5CCD415CBF850E2029', '88D27A9C701BD8391D372E5CCD415CBF850E2029'],
    ['88D2 7A9C 701B D839 1D37  2E5C CD41 5CBF 850E 2029', '88D27A9C701BD8391D372E5CCD415CBF850E2029'],
    [' 88D27A9C701BD8391D372E5CCD415CBF850E2029\n', '88D27A9C701BD8391D372E5CCD415CBF850E2029'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeFingerprint(input)).toBe(expected);
  });

  it('leaves other ids recognisably different (no match by short key id)', () => {
    expect(normalizeFingerprint('cd415cbf850e2029')).toBe('CD415CBF850E2029');
    expect(isV4Fingerprint('cd415cbf850e2029')).toBe(false);
    expect(isV4Fingerprint('openpgp4fpr:88d27a9c701bd8391d372e5ccd415cbf850e2029')).toBe(true);
    expect(isV4Fingerprint('ni:///sha-256;cD9o9Cq6LG3jD0iKXqEi_vdjJGecm_iXkbqVoScViaU')).toBe(false);
  });
});
