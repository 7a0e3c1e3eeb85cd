import type { Occurrence } from '@signet/grafeas-client';
import { attestationEvidence, scanRecord, vulnerabilityFinding } from '@signet/policy';
import { describe, expect, it } from 'vitest';
import { attestationEntry, decodeAttestation, decodeImageFacts, imageFactEntry } from './index-entries.js';

const NOTE = 'projects/p/notes/qa';
const stored = { name: 'projects/p/occurrences/1', createTime: '', updateTime: '' };
const resourceUri = 'https://r.example/app@sha256:1';

const generic = {
  ...stored,
  kind: 'ATTESTATION',
  resourceUri,
  noteName: NOTE,
  signature: {
    form: 'generic',
    serializedPayload: new TextEncoder().encode('{"critical":{}}'),
    signatures: [
      { publicKeyId: 'a', signature: new Uint8Array([0, 255, 7]) },
      { publicKeyId: 'b', signature: new Uint8Array() },
    ],
  },
} as unknown as Occurrence;

const pgp = {
  ...stored,
  kind: 'ATTESTATION',
  resourceUri,
  noteName: NOTE,
  signature: { form: 'pgp', signature: '-----BEGIN PGP MESSAGE-----\n...', keyId: 'ABCD' },
} as unknown as Occurrence;

const vulnerability = {
  ...stored,
  kind: 'VULNERABILITY',
  resourceUri,
  noteName: 'projects/goog-vulnz/notes/CVE-2024-1',
  cveId: 'CVE-2024-1',
  severity: 'HIGH',
  fixAvailable: false,
  packages: [{ affectedPackage: 'curl', effectiveSeverity: 'CRITICAL' }],
} as unknown as Occurrence;

const discovery = {
  ...stored,
  kind: 'DISCOVERY',
  resourceUri,
  noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
  analysisStatus: 'FINISHED_FAILED',
  analysisStatusError: 'unsupported',
} as unknown as Occurrence;

describe('index entries: what the index keeps of an occurrence decodes to what the decision reads', () => {
  it.each([
    ['a generic signed attestation', generic],
    ['a PGP signed attestation', pgp],
  ])('%s', (_name, occurrence) => {
    const entry = attestationEntry(occurrence) as string;
    expect(typeof entry).toBe('string');
    expect(decodeAttestation(NOTE, entry)).toEqual(attestationEvidence(occurrence as never));
  });

  it('vulnerabilities and discoveries of an image, and nothing else', () => {
    const entries = [vulnerability, discovery].map((o) => imageFactEntry(o) as string);
    expect(decodeImageFacts(entries)).toEqual({
      vulnerabilities: [vulnerabilityFinding(vulnerability as never)],
      scans: [scanRecord(discovery as never)],
    });
    expect(imageFactEntry(generic)).toBeUndefined();
    expect(attestationEntry(vulnerability)).toBeUndefined();
    expect(decodeImageFacts([])).toEqual({ vulnerabilities: [], scans: [] });
  });
});
