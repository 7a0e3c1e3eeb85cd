import { describe, expect, it } from 'vitest';
import {
  attestationEvidence,
  type ImageOccurrenceListing,
  type NoteOccurrence,
  OccurrenceMetadataSource,
  type OccurrenceReader,
  type ReadOptions,
  type UnreadableOccurrence,
  vulnerabilityFinding,
} from './occurrence-source.js';

const IMAGE = `https://gcr.io/p/app@sha256:${'a'.repeat(64)}`;
const NOTE = 'projects/p/notes/qa';

/** A store in memory: occurrences by note or project and resource URL, and every read it served. */
class MemoryReader implements OccurrenceReader {
  readonly backend = 'memory store';
  readonly reads: { call: string; scope: string; resourceUrl: string; options?: ReadOptions }[] = [];
  readonly notes = new Map<string, { items: NoteOccurrence[]; skipped: UnreadableOccurrence[] }>();
  readonly images = new Map<string, ImageOccurrenceListing>();
  failure: Error | undefined;

  async listNoteOccurrences(noteName: string, resourceUrl: string, options?: ReadOptions) {
    this.reads.push({ call: 'note', scope: noteName, resourceUrl, ...(options ? { options } : {}) });
    if (this.failure) throw this.failure;
    return this.notes.get(`${noteName}|${resourceUrl}`) ?? { items: [], skipped: [] };
  }

  async listImageOccurrences(project: string, resourceUrl: string, options?: ReadOptions) {
    this.reads.push({ call: 'image', scope: project, resourceUrl, ...(options ? { options } : {}) });
    if (this.failure) throw this.failure;
    return (
      this.images.get(`${project}|${resourceUrl}`) ?? { vulnerabilities: [], discoveries: [], skipped: [] }
    );
  }
}

describe('OccurrenceMetadataSource', () => {
  it('names the store, and reads attestations only among a note’s occurrences', async () => {
    const reader = new MemoryReader();
    const payload = new Uint8Array([1, 2, 3]);
    reader.notes.set(`${NOTE}|${IMAGE}`, {
      items: [
        {
          kind: 'ATTESTATION',
          name: 'projects/p/occurrences/1',
          noteName: NOTE,
          signature: { form: 'pgp', signature: 'ARMORED', keyId: 'ABCD' },
        },
        { kind: 'VULNERABILITY' },
        {
          kind: 'ATTESTATION',
          noteName: NOTE,
          signature: {
            form: 'generic',
            serializedPayload: payload,
            signatures: [{ publicKeyId: 'k', signature: payload }],
          },
        },
      ],
      skipped: [],
    });
    const source = new OccurrenceMetadataSource(reader);
    expect(source.description).toBe('memory store');
    expect(await source.attestations(NOTE, IMAGE)).toEqual([
      {
        noteName: NOTE,
        occurrenceName: 'projects/p/occurrences/1',
        signature: { form: 'pgp', signature: 'ARMORED', keyId: 'ABCD' },
      },
      {
        noteName: NOTE,
        signature: {
          form: 'generic',
          serializedPayload: payload,
          signatures: [{ publicKeyId: 'k', signature: payload }],
        },
      },
    ]);
    expect(await source.attestations(NOTE, 'https://gcr.io/p/other@sha256:00')).toEqual([]);
  });

  it('reads an image’s vulnerabilities and scans from one listing, and each call reads the store', async () => {
    const reader = new MemoryReader();
    reader.images.set(`p|${IMAGE}`, {
      vulnerabilities: [
        {
          noteName: 'projects/goog-vulnz/notes/CVE-2024-3094',
          cveId: 'CVE-2024-3094',
          severity: 'CRITICAL',
          fixAvailable: true,
          packages: [{ affectedPackage: 'xz-utils', effectiveSeverity: 'HIGH', severityName: 'CRITICAL' }],
        },
      ],
      discoveries: [{ analysisStatus: 'FINISHED_FAILED', analysisStatusError: 'unsupported layer' }],
      skipped: [],
    });
    const source = new OccurrenceMetadataSource(reader);
    const finding = {
      noteName: 'projects/goog-vulnz/notes/CVE-2024-3094',
      cveId: 'CVE-2024-3094',
      severity: 'CRITICAL',
      packageSeverities: ['HIGH'],
      severityNames: ['CRITICAL'],
      fixAvailable: true,
      packages: ['xz-utils'],
    };
    const scan = { status: 'FINISHED_FAILED', error: 'unsupported layer' };
    expect(await source.imageScan(IMAGE, 'p')).toEqual({ findings: [finding], scans: [scan] });
    expect(await source.vulnerabilities(IMAGE, 'p')).toEqual([finding]);
    expect(await source.scans(IMAGE, 'p')).toEqual([scan]);
    expect(reader.reads.map((r) => `${r.call} ${r.scope}`)).toEqual(['image p', 'image p', 'image p']);
  });

  it('fails an image closed on an occurrence it could not read that may be a vulnerability or a scan', async () => {
    const reader = new MemoryReader();
    reader.images.set(`p|${IMAGE}`, {
      vulnerabilities: [],
      discoveries: [],
      skipped: [
        { name: 'projects/p/occurrences/v', reason: 'severity is not a string', kinds: ['VULNERABILITY'] },
        { name: 'projects/p/occurrences/k', reason: 'no kind', kinds: [] },
        { name: 'projects/p/occurrences/a', reason: 'no signature', kinds: ['ATTESTATION'] },
      ],
    });
    const source = new OccurrenceMetadataSource(reader);
    const findings = await source.vulnerabilities(IMAGE, 'p');
    expect(findings.map((f) => [f.occurrenceName, f.unreadable])).toEqual([
      ['projects/p/occurrences/v', 'severity is not a string'],
      ['projects/p/occurrences/k', 'no kind'],
    ]);
    expect(await source.scans(IMAGE, 'p')).toEqual([]);
  });

  it('passes the caller’s signal to the store', async () => {
    const reader = new MemoryReader();
    const source = new OccurrenceMetadataSource(reader);
    const { signal } = new AbortController();
    await source.attestations(NOTE, IMAGE, { signal });
    await source.imageScan(IMAGE, 'p', { signal });
    expect(reader.reads.map((r) => r.options?.signal)).toEqual([signal, signal]);
  });

  it('reports what the store left out, with the note or project read', async () => {
    const reader = new MemoryReader();
    const skipped = [{ name: 'projects/p/occurrences/9', reason: 'unknown kind' }];
    reader.notes.set(`${NOTE}|${IMAGE}`, { items: [], skipped });
    reader.images.set(`p|${IMAGE}`, { vulnerabilities: [], discoveries: [], skipped });
    const reports: unknown[] = [];
    const source = new OccurrenceMetadataSource(reader, {
      onSkipped: (left, scope, resourceUrl) => reports.push({ left, scope, resourceUrl }),
    });
    await source.attestations(NOTE, IMAGE);
    await source.scans(IMAGE, 'p');
    await source.attestations(NOTE, 'https://gcr.io/p/clean@sha256:00');
    expect(reports).toEqual([
      { left: skipped, scope: NOTE, resourceUrl: IMAGE },
      { left: skipped, scope: 'p', resourceUrl: IMAGE },
    ]);
  });

  it('rejects with the store’s error, so the decision names the failed backend', async () => {
    const reader = new MemoryReader();
    reader.failure = new Error('connection refused');
    const source = new OccurrenceMetadataSource(reader);
    await expect(source.attestations(NOTE, IMAGE)).rejects.toThrow('connection refused');
    await expect(source.vulnerabilities(IMAGE, 'p')).rejects.toThrow('connection refused');
  });
});

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
