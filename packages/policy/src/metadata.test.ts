import { describe, expect, it } from 'vitest';
import { attestationEvidence, vulnerabilityFinding } from './metadata.js';

describe('stored occurrences → what the decision reads', () => {
  it('keeps a PGP attestation, dropping what the check does not read', () => {
    const record = {
      name: 'projects/p/occurrences/1',
      noteName: 'projects/p/notes/qa',
      resourceUrl: 'https://gcr.io/p/app@sha256:00',
      signature: {
        form: 'pgp' as const,
        signature: 'ARMORED',
        keyId: 'ABCD',
        contentType: 'SIMPLE_SIGNING_JSON',
      },
    };
    expect(attestationEvidence(record)).toEqual({
      noteName: 'projects/p/notes/qa',
      occurrenceName: 'projects/p/occurrences/1',
      signature: { form: 'pgp', signature: 'ARMORED', keyId: 'ABCD' },
    });
  });

  it('keeps a generic attestation with every signature, and no key id when none is declared', () => {
    const payload = new Uint8Array([1, 2, 3]);
    const signature = new Uint8Array([4]);
    const evidence = attestationEvidence({
      noteName: 'projects/p/notes/qa',
      signature: {
        form: 'generic',
        serializedPayload: payload,
        signatures: [{ publicKeyId: 'ni:///sha-256;x', signature }],
      },
    });
    expect(evidence).toEqual({
      noteName: 'projects/p/notes/qa',
      signature: {
        form: 'generic',
        serializedPayload: payload,
        signatures: [{ publicKeyId: 'ni:///sha-256;x', signature }],
      },
    });
    expect(
      attestationEvidence({ noteName: 'n', signature: { form: 'pgp', signature: 's' } }).signature,
    ).toEqual({
      form: 'pgp',
      signature: 's',
    });
  });

  it('turns a vulnerability occurrence into a finding naming its packages', () => {
    const finding = vulnerabilityFinding({
      noteName: 'projects/goog-vulnz/notes/CVE-2024-3094',
      cveId: 'CVE-2024-3094',
      severity: 'CRITICAL',
      effectiveSeverity: 'HIGH',
      fixAvailable: true,
      packages: [{ affectedPackage: 'xz-utils' }, { affectedPackage: 'liblzma5' }],
    });
    expect(finding).toEqual({
      noteName: 'projects/goog-vulnz/notes/CVE-2024-3094',
      cveId: 'CVE-2024-3094',
      severity: 'CRITICAL',
      effectiveSeverity: 'HIGH',
      fixAvailable: true,
      packages: ['xz-utils', 'liblzma5'],
    });
  });
});
