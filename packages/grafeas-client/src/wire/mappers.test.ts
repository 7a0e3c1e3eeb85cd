import { describe, expect, it } from 'vitest';
import type { AttestationOccurrenceSpec, VulnerabilityOccurrenceSpec } from '../model.js';
import { v1beta1Mapper, v1Mapper } from './index.js';

const HEX = '0123456789abcdef'.repeat(4);
const URL_ = `https://gcr.io/my-proj/app@sha256:${HEX}`;
const ARMOR = '-----BEGIN PGP MESSAGE-----\n\nowGbwMvMwMH4\n-----END PGP MESSAGE-----\n';

function spec<T>(
  parsed: { ok: true; value: { spec: unknown } } | { ok: false; skipped: { reason: string } },
): T {
  if (!parsed.ok) throw new Error(`skipped: ${parsed.skipped.reason}`);
  return parsed.value.spec as T;
}

describe('v1beta1 attestation shapes', () => {
  it('reads the documented double-nested pgpSignedAttestation', () => {
    const s = spec<AttestationOccurrenceSpec>(
      v1beta1Mapper.occurrenceFromWire({
        name: 'projects/p/occurrences/1',
        kind: 'ATTESTATION',
        resource: { uri: URL_ },
        noteName: 'projects/attestor-proj/notes/qa',
        attestation: {
          attestation: {
            pgpSignedAttestation: { signature: ARMOR, contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: 'ABC' },
          },
        },
      }),
    );
    expect(s).toEqual({
      kind: 'ATTESTATION',
      resourceUri: URL_,
      noteName: 'projects/attestor-proj/notes/qa',
      signature: { form: 'pgp', signature: ARMOR, contentType: 'SIMPLE_SIGNING_JSON', keyId: 'ABC' },
    });
  });

  it("reads the user's guide / legacy Kritis shape (top-level resourceUrl, single nesting) the same way", () => {
    const documented = v1beta1Mapper.occurrenceFromWire({
      resource: { uri: URL_ },
      noteName: 'projects/P/notes/N',
      attestation: {
        attestation: {
          pgpSignedAttestation: { signature: 'TFMw', contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: 'F' },
        },
      },
    });
    const legacy = v1beta1Mapper.occurrenceFromWire({
      resourceUrl: URL_,
      noteName: 'projects/P/notes/N',
      attestation: {
        pgpSignedAttestation: { signature: 'TFMw', contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: 'F' },
      },
    });
    expect(spec(legacy)).toEqual(spec(documented));
  });

  it('accepts proto (snake_case) field names', () => {
    const s = spec<AttestationOccurrenceSpec>(
      v1beta1Mapper.occurrenceFromWire({
        resource: { uri: URL_ },
        note_name: 'projects/P/notes/N',
        attestation: {
          attestation: {
            generic_signed_attestation: {
              content_type: 'SIMPLE_SIGNING_JSON',
              serialized_payload: 'e30',
              signatures: [{ signature: '-_8', public_key_id: 'ni:///sha-256;x' }],
            },
          },
        },
      }),
    );
    expect(s.noteName).toBe('projects/P/notes/N');
    if (s.signature.form !== 'generic') throw new Error('form');
    expect(Buffer.from(s.signature.serializedPayload).toString()).toBe('{}');
    expect([...(s.signature.signatures[0]?.signature ?? [])]).toEqual([0xfb, 0xff]);
    expect(s.signature.signatures[0]?.publicKeyId).toBe('ni:///sha-256;x');
  });

  it('writes genericSignedAttestation double-nested with standard padded base64 and no output-only fields', () => {
    const out = v1beta1Mapper.occurrenceToWire({
      kind: 'ATTESTATION',
      resourceUri: URL_,
      noteName: 'projects/P/notes/N',
      signature: {
        form: 'generic',
        serializedPayload: new Uint8Array([0xfb, 0xff]),
        signatures: [{ publicKeyId: 'k', signature: new Uint8Array([1]) }],
      },
    });
    expect(out).toEqual({
      resource: { uri: URL_ },
      noteName: 'projects/P/notes/N',
      attestation: {
        attestation: {
          genericSignedAttestation: {
            contentType: 'SIMPLE_SIGNING_JSON',
            serializedPayload: '+/8=',
            signatures: [{ publicKeyId: 'k', signature: 'AQ==' }],
          },
        },
      },
    });
  });
});

describe('v1 attestation', () => {
  it('reads serializedPayload + signatures, and ignores jwts and unknown fields', () => {
    const s = spec<AttestationOccurrenceSpec>(
      v1Mapper.occurrenceFromWire({
        kind: 'ATTESTATION',
        resourceUri: URL_,
        noteName: 'projects/P/notes/N',
        somethingNew: { x: 1 },
        attestation: {
          serializedPayload: 'e30=',
          signatures: [{ signature: 'AQI=', publicKeyId: 'openpgp4fpr:ABC' }],
          jwts: [{ compactJwt: 'a.b.c' }],
        },
      }),
    );
    expect(s.signature).toEqual({
      form: 'generic',
      serializedPayload: new Uint8Array([0x7b, 0x7d]),
      signatures: [{ publicKeyId: 'openpgp4fpr:ABC', signature: new Uint8Array([1, 2]) }],
    });
  });

  it('writes a PGP attestation as its armored text (base64 of it decoded) under the fingerprint', () => {
    const out = v1Mapper.occurrenceToWire({
      kind: 'ATTESTATION',
      resourceUri: URL_,
      noteName: 'projects/P/notes/N',
      signature: {
        form: 'pgp',
        signature: Buffer.from(ARMOR).toString('base64'),
        contentType: 'SIMPLE_SIGNING_JSON',
        keyId: 'F',
      },
    });
    const attestation = out.attestation as {
      serializedPayload: string;
      signatures: { signature: string; publicKeyId: string }[];
    };
    expect(attestation.serializedPayload).toBe('');
    expect(attestation.signatures[0]?.publicKeyId).toBe('F');
    expect(Buffer.from(attestation.signatures[0]?.signature ?? '', 'base64').toString()).toBe(ARMOR);
    expect(out.resourceUri).toBe(URL_);
  });
});

describe('vulnerability occurrences', () => {
  const v1beta1Vuln = (fixed: unknown) => ({
    resource: { uri: URL_ },
    noteName: 'projects/goog-vulnz/notes/CVE-2023-0001',
    vulnerability: {
      severity: 'MEDIUM',
      effectiveSeverity: 'SOMETHING_NEW',
      packageIssue: [
        {
          affectedLocation: {
            cpeUri: 'cpe:/o:debian',
            package: 'zlib',
            version: { kind: 'NORMAL', name: '1.2' },
          },
          ...(fixed === undefined
            ? {}
            : { fixedLocation: { cpeUri: 'cpe:/o:debian', package: 'zlib', version: fixed } }),
        },
      ],
    },
  });

  it('derives v1beta1 fixAvailable from the fixed version kind (MAXIMUM or absent = no fix)', () => {
    const fixable = spec<VulnerabilityOccurrenceSpec>(
      v1beta1Mapper.occurrenceFromWire(v1beta1Vuln({ kind: 'NORMAL', name: '1.3' })),
    );
    const maximum = spec<VulnerabilityOccurrenceSpec>(
      v1beta1Mapper.occurrenceFromWire(v1beta1Vuln({ kind: 'MAXIMUM' })),
    );
    const absent = spec<VulnerabilityOccurrenceSpec>(
      v1beta1Mapper.occurrenceFromWire(v1beta1Vuln(undefined)),
    );
    expect([fixable.fixAvailable, maximum.fixAvailable, absent.fixAvailable]).toEqual([true, false, false]);
    expect(fixable.severity).toBe('MEDIUM');
    // A value Grafeas does not define is kept as written: the decision judges it unknown (CRITICAL).
    expect(fixable.effectiveSeverity).toBe('SOMETHING_NEW');
    expect(fixable.packages[0]).toMatchObject({
      affectedPackage: 'zlib',
      affectedVersion: { kind: 'NORMAL', name: '1.2' },
    });
  });

  it('reads v1 fixAvailable (top level or any package: where they disagree, fixable) and the flat package issue', () => {
    const base = {
      resourceUri: URL_,
      noteName: 'projects/goog-vulnz/notes/CVE-1',
      vulnerability: {
        severity: 'LOW',
        effectiveSeverity: 'HIGH',
        cvssv3: { baseScore: 7 },
        packageIssue: [
          {
            affectedCpeUri: 'c',
            affectedPackage: 'p',
            fixedVersion: { kind: 'NORMAL', name: '2', fullName: '2' },
            fixAvailable: true,
          },
        ],
      },
    };
    const s = spec<VulnerabilityOccurrenceSpec>(v1Mapper.occurrenceFromWire(base));
    expect(s).toMatchObject({ severity: 'LOW', effectiveSeverity: 'HIGH', fixAvailable: true });
    expect(s.packages[0]?.fixedVersion).toEqual({ kind: 'NORMAL', name: '2', fullName: '2' });
    const top = spec<VulnerabilityOccurrenceSpec>(
      v1Mapper.occurrenceFromWire({ ...base, vulnerability: { ...base.vulnerability, fixAvailable: false } }),
    );
    expect(top.fixAvailable).toBe(true);
    const none = spec<VulnerabilityOccurrenceSpec>(
      v1Mapper.occurrenceFromWire({
        ...base,
        vulnerability: {
          ...base.vulnerability,
          fixAvailable: false,
          packageIssue: [{ affectedCpeUri: 'c', affectedPackage: 'p', fixAvailable: false }],
        },
      }),
    );
    expect(none.fixAvailable).toBe(false);
  });

  it('writes a v1 unfixable issue for v1beta1 as a MAXIMUM fixed version, so v1beta1 readers agree', () => {
    const v1 = spec<VulnerabilityOccurrenceSpec>(
      v1Mapper.occurrenceFromWire({
        resourceUri: URL_,
        noteName: 'projects/goog-vulnz/notes/CVE-2',
        vulnerability: {
          severity: 'HIGH',
          fixAvailable: false,
          packageIssue: [{ affectedCpeUri: 'c', affectedPackage: 'p', fixAvailable: false }],
        },
      }),
    );
    const wire = v1beta1Mapper.occurrenceToWire(v1) as {
      vulnerability: { packageIssue: { fixedLocation: unknown }[] };
    };
    expect(wire.vulnerability.packageIssue[0]?.fixedLocation).toEqual({
      cpeUri: 'c',
      package: 'p',
      version: { kind: 'MAXIMUM' },
    });
    const back = spec<VulnerabilityOccurrenceSpec>(v1beta1Mapper.occurrenceFromWire(wire));
    expect(back.fixAvailable).toBe(false);
    expect('fixAvailable' in (wire.vulnerability as object)).toBe(false);
  });
});

describe('discovery', () => {
  it('reads v1beta1 discovered.discovered and v1 discovery alike', () => {
    const a = v1beta1Mapper.occurrenceFromWire({
      resource: { uri: URL_ },
      noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
      discovered: { discovered: { analysisStatus: 'FINISHED_SUCCESS', continuousAnalysis: 'ACTIVE' } },
    });
    const b = v1Mapper.occurrenceFromWire({
      resourceUri: URL_,
      noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
      discovery: { analysisStatus: 'FINISHED_SUCCESS', continuousAnalysis: 'ACTIVE' },
    });
    expect(spec(a)).toEqual(spec(b));
    expect(spec(a)).toMatchObject({ kind: 'DISCOVERY', analysisStatus: 'FINISHED_SUCCESS' });
  });
});

describe('what cannot be understood is skipped with a reason', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 'hello', 'not a JSON object'],
    ['no resource', { noteName: 'projects/p/notes/n', attestation: {} }, 'resource'],
    ['no note', { resource: { uri: URL_ }, attestation: {} }, 'noteName is missing'],
    [
      'a BUILD occurrence',
      {
        name: 'projects/p/occurrences/b',
        resource: { uri: URL_ },
        noteName: 'projects/p/notes/n',
        build: {},
      },
      'not supported',
    ],
    [
      'bad base64',
      {
        resource: { uri: URL_ },
        noteName: 'projects/p/notes/n',
        attestation: { attestation: { genericSignedAttestation: { serializedPayload: '***' } } },
      },
      'not base64',
    ],
    [
      'empty pgp signature',
      {
        resource: { uri: URL_ },
        noteName: 'projects/p/notes/n',
        attestation: { attestation: { pgpSignedAttestation: { signature: '' } } },
      },
      'signature is missing',
    ],
    [
      'two details',
      { resource: { uri: URL_ }, noteName: 'projects/p/notes/n', vulnerability: {}, discovered: {} },
      'several details',
    ],
  ];
  for (const [label, json, reason] of cases) {
    it(label, () => {
      const parsed = v1beta1Mapper.occurrenceFromWire(json);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.skipped.reason).toContain(reason);
    });
  }

  it('keeps the name of a skipped occurrence', () => {
    const parsed = v1Mapper.occurrenceFromWire({
      name: 'projects/p/occurrences/x',
      resourceUri: URL_,
      noteName: 'projects/p/notes/n',
      upgrade: {},
    });
    expect(parsed).toEqual({
      ok: false,
      skipped: {
        name: 'projects/p/occurrences/x',
        reason: 'occurrence kind "upgrade" is not supported',
        resourceUri: URL_,
        kinds: ['UPGRADE'],
      },
    });
  });
});

describe('notes', () => {
  it('maps attestationAuthority (v1beta1) and attestation (v1) to one model', () => {
    const a = v1beta1Mapper.noteFromWire({
      name: 'projects/p/notes/n',
      attestationAuthority: { hint: { humanReadableName: 'QA' } },
    });
    const b = v1Mapper.noteFromWire({
      name: 'projects/p/notes/n',
      kind: 'ATTESTATION',
      attestation: { hint: { humanReadableName: 'QA' } },
    });
    expect(a).toEqual(b);
    expect(a).toEqual({
      ok: true,
      value: { name: 'projects/p/notes/n', spec: { kind: 'ATTESTATION', humanReadableName: 'QA' } },
    });
    expect(v1beta1Mapper.noteToWire({ kind: 'ATTESTATION', humanReadableName: 'QA' })).toEqual({
      attestationAuthority: { hint: { humanReadableName: 'QA' } },
    });
  });

  it('skips a note without a type', () => {
    expect(v1Mapper.noteFromWire({ name: 'projects/p/notes/n', build: {} })).toMatchObject({ ok: false });
  });
});
