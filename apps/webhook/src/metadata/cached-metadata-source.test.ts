import { Writable } from 'node:stream';
import type { ImageOccurrenceListing, NoteOccurrence, OccurrenceReader, ReadOptions } from '@signet/policy';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { eventually } from '../test-support/eventually.js';
import { CachedMetadataSource } from './cached-metadata-source.js';

const IMAGE = `https://registry.example/app@sha256:${'a'.repeat(64)}`;
const NOTE = 'projects/p/notes/qa';

/** A store in memory that counts its reads and keeps the signal each read was given. */
class CountingReader implements OccurrenceReader {
  readonly backend = 'memory store';
  readonly reads: string[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];

  async listNoteOccurrences(noteName: string, resourceUrl: string, options?: ReadOptions) {
    this.reads.push(`note ${noteName} ${resourceUrl}`);
    this.signals.push(options?.signal);
    const items: NoteOccurrence[] = [
      {
        kind: 'ATTESTATION',
        name: 'projects/p/occurrences/1',
        noteName,
        signature: { form: 'pgp', signature: 'ARMORED' },
      },
    ];
    return { items, skipped: [{ name: 'projects/p/occurrences/2', reason: 'no signature' }] };
  }

  async listImageOccurrences(project: string, resourceUrl: string, options?: ReadOptions) {
    this.reads.push(`image ${project} ${resourceUrl}`);
    this.signals.push(options?.signal);
    const listing: ImageOccurrenceListing = {
      vulnerabilities: [
        { noteName: 'projects/goog-vulnz/notes/CVE-1', cveId: 'CVE-1', fixAvailable: false, packages: [] },
      ],
      discoveries: [{ analysisStatus: 'FINISHED_SUCCESS' }],
      skipped: [],
    };
    return listing;
  }
}

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'warn' }, stream) };
}

describe('CachedMetadataSource over policy’s OccurrenceMetadataSource', () => {
  it('reads each note and image once, and answers later lookups with the same converted objects', async () => {
    const reader = new CountingReader();
    const source = new CachedMetadataSource({ store: reader });
    expect(source.description).toBe('memory store');
    const first = await source.attestations(NOTE, IMAGE);
    expect(first).toEqual([
      {
        noteName: NOTE,
        occurrenceName: 'projects/p/occurrences/1',
        signature: { form: 'pgp', signature: 'ARMORED' },
      },
    ]);
    expect(await source.attestations(NOTE, IMAGE)).toBe(first);
    const findings = await source.vulnerabilities(IMAGE, 'p');
    expect(findings.map((f) => f.cveId)).toEqual(['CVE-1']);
    expect(await source.scans(IMAGE, 'p')).toEqual([{ status: 'FINISHED_SUCCESS' }]);
    expect(await source.vulnerabilities(IMAGE, 'p')).toBe(findings);
    expect(reader.reads).toEqual([`note ${NOTE} ${IMAGE}`, `image p ${IMAGE}`]);
    expect(source.sizes).toEqual({ attestations: 1, vulnerabilities: 1 });
  });

  it('asks again for an attestation it found missing a second ago: a retry sees a signature written since', async () => {
    const reader = new CountingReader();
    let signed = false;
    const listNoteOccurrences = reader.listNoteOccurrences.bind(reader);
    reader.listNoteOccurrences = async (noteName, resourceUrl, options) => {
      const listing = await listNoteOccurrences(noteName, resourceUrl, options);
      return signed ? listing : { items: [], skipped: [] };
    };
    // "Nothing found" kept an hour: only the refresh of a stale miss can bring the signature in.
    const source = new CachedMetadataSource({ store: reader, cache: { emptyTtlMs: 3_600_000 } });
    expect(await source.attestations(NOTE, IMAGE)).toEqual([]);
    signed = true;
    await eventually(async () => (await source.attestations(NOTE, IMAGE)).length > 0, 'the signature');
    expect(reader.reads).toEqual([`note ${NOTE} ${IMAGE}`, `note ${NOTE} ${IMAGE}`]);
  });

  it('bounds each read with the cache’s own signal', async () => {
    const reader = new CountingReader();
    const source = new CachedMetadataSource({ store: reader });
    await source.attestations(NOTE, IMAGE);
    await source.scans(IMAGE, 'p');
    expect(reader.signals).toHaveLength(2);
    for (const signal of reader.signals) expect(signal).toBeInstanceOf(AbortSignal);
  });

  it('logs the occurrences a read left out, once per read', async () => {
    const { lines, logger } = logSink();
    const source = new CachedMetadataSource({ store: new CountingReader(), logger });
    await source.attestations(NOTE, IMAGE);
    await source.attestations(NOTE, IMAGE);
    const skipped = lines.filter((line) => line.msg === 'unreadable occurrences skipped');
    expect(skipped).toEqual([
      expect.objectContaining({
        scope: NOTE,
        resourceUrl: IMAGE,
        skipped: [{ name: 'projects/p/occurrences/2', reason: 'no signature' }],
      }),
    ]);
  });
});
