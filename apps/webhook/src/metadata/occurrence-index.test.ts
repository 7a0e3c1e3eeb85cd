import { type MetadataStore, type OccurrenceSpec, openMetadataStore } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReviewDeadline } from '../admission/deadline.js';
import type { WebhookError } from '../errors.js';
import { createMetrics } from '../monitoring/metrics.js';
import { GatedReader } from '../test-support/gated-reader.js';
import { metricValue } from '../test-support/metrics.js';
import { attestationSpec, vulnerabilitySpec } from '../test-support/occurrence-specs.js';
import { OccurrenceIndex } from './occurrence-index.js';

const NOTE = 'projects/idx/notes/qa';
const HEX = (n: number) => n.toString(16).padStart(64, '0');
const image = (n: number) => `registry.example/idx/app${n}@sha256:${HEX(n)}`;

function attestation(resourceUri: string): OccurrenceSpec {
  return attestationSpec(resourceUri, NOTE, 'k');
}

function vulnerability(resourceUri: string): OccurrenceSpec {
  return vulnerabilitySpec(resourceUri, 'CVE-2024-1', 'HIGH');
}

function discovery(resourceUri: string, analysisStatus: 'FINISHED_SUCCESS' | 'SCANNING'): OccurrenceSpec {
  return {
    kind: 'DISCOVERY',
    resourceUri,
    noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
    analysisStatus,
  };
}

/**
 * The real `grafeas:` store against the emulator's OSS flavour (filters ignored), counting whole reads;
 * `duringRead` runs when a read has started (e.g. to move a fake clock as a slow read would).
 */
class CountingReader {
  scans = 0;
  duringRead: () => void = () => {};
  constructor(private readonly store: MetadataStore) {}
  get backend() {
    return this.store.backend;
  }
  async visitOccurrences(...args: Parameters<MetadataStore['visitOccurrences']>) {
    this.scans += 1;
    const summary = await this.store.visitOccurrences(...args);
    this.duringRead();
    return summary;
  }
}

/** A pino logger whose lines are kept as objects. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('OccurrenceIndex over a filter-ignoring backend', () => {
  const data = new SqliteMetadataStore(':memory:');
  let emulator: RunningEmulator;
  let store: MetadataStore;
  const indexes: OccurrenceIndex[] = [];
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    data.insertNote('idx', 'qa', { kind: 'ATTESTATION' });
    data.insertOccurrences(
      'idx',
      [
        ...Array.from({ length: 300 }, (_, i) => attestation(`https://${image(i)}`)),
        ...Array.from({ length: 300 }, (_, i) => vulnerability(`https://${image(i)}`)),
        attestation(image(1000)),
        discovery(`https://${image(5)}`, 'FINISHED_SUCCESS'),
        discovery(image(6), 'SCANNING'),
      ],
      false,
    );
    emulator = await startEmulator({ flavor: 'oss', store: data });
    store = await openMetadataStore(`grafeas:${emulator.url}`, {
      api: 'v1beta1',
      pageSize: 100,
      retry: { attempts: 1 },
    });
  });
  afterEach(() => {
    for (const index of indexes.splice(0)) index.close();
  });
  afterAll(async () => {
    await store.close();
    await emulator.close();
    await data.close();
  });

  async function filled(settings = {}, options: { duringRead?: () => void; logger?: pino.Logger } = {}) {
    const reader = new CountingReader(store);
    if (options.duringRead) reader.duringRead = options.duringRead;
    const index = new OccurrenceIndex({
      store: reader,
      settings,
      clock,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    indexes.push(index);
    index.track({ notes: [NOTE], projects: ['idx'] });
    expect(index.readiness().ready).toBe(false);
    await index.refresh();
    expect(index.readiness()).toEqual({ ready: true, reasons: [], warming: [] });
    return { index, reader };
  }

  /** Started over a gated reader, its note read; projects are left for the test to track. */
  async function startedWithNote() {
    const reader = new GatedReader(store);
    const index = new OccurrenceIndex({ store: reader, clock, settings: { refreshMs: 10_000 } });
    indexes.push(index);
    index.track({ notes: [NOTE] });
    await index.refresh();
    index.start();
    return { reader, index };
  }

  it('answers both spellings of a resource from one read per scope', async () => {
    const { index, reader } = await filled();
    expect(await index.attestations(NOTE, `https://${image(7)}`)).toHaveLength(1);
    expect(await index.attestations(NOTE, image(7))).toHaveLength(1);
    expect(await index.attestations(NOTE, `https://${image(1000)}`)).toHaveLength(1);
    expect(await index.attestations(NOTE, `http://${image(7)}`)).toEqual([]);
    expect(await index.vulnerabilities(`https://${image(7)}`, 'idx')).toMatchObject([
      { cveId: 'CVE-2024-1' },
    ]);
    expect(reader.scans).toBe(2);
    // The project holds its vulnerabilities and discoveries; its attestations are the note's.
    expect(index.stats().map((s) => [s.scope, s.occurrences])).toEqual([
      [`note ${NOTE}`, 301],
      ['project idx', 302],
    ]);
  });

  it("answers an image's scan status (DISCOVERY) in both spellings", async () => {
    const { index } = await filled();
    expect(await index.scans(image(5), 'idx')).toEqual([{ status: 'FINISHED_SUCCESS' }]);
    expect(await index.scans(`https://${image(6)}`, 'idx')).toEqual([{ status: 'SCANNING' }]);
    expect(await index.scans(image(7), 'idx')).toEqual([]);
  });

  it('answers misses from the data held without waiting for a read, and says how old it is', async () => {
    const { index, reader } = await filled({ refreshMs: 10_000 });
    data.insertOccurrences('idx', [attestation(`https://${image(2000)}`)], false);
    now += 5_000;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => index.attestations(NOTE, `https://${image(2000)}`)),
    );
    expect(answers.every((a) => a.length === 0)).toBe(true);
    expect(await index.vulnerabilities(`https://${image(99_999)}`, 'idx')).toEqual([]);
    expect(reader.scans).toBe(2);
    expect(index.describeAbsence(NOTE)).toMatch(
      /read 5s ago: a signature written since then is seen by the next refresh, within 10s \(--index-refresh 10s, and this note's read time\)/,
    );
    // The next refresh, not the miss, brings the late signature in.
    await index.refresh();
    expect(await index.attestations(NOTE, `https://${image(2000)}`)).toHaveLength(1);
    expect(index.describeAbsence(NOTE)).toContain('read 0s ago');
  });

  it('promises a write within --index-refresh while a read takes a quarter of it or less, then within four reads, within --index-max-age', async () => {
    const within = async (readMs: number, maxAgeMs = 600_000) => {
      const reader = new CountingReader(store);
      reader.duringRead = () => {
        now += readMs;
      };
      const index = new OccurrenceIndex({
        store: reader,
        clock,
        settings: { refreshMs: 10_000, maxAgeMs },
      });
      indexes.push(index);
      index.track({ notes: [NOTE] });
      await index.refresh();
      return /within (\d+)s/.exec(index.describeAbsence(NOTE) ?? '')?.[1];
    };
    // A write just after a read started is seen when the next read ends: pause + 2 reads, where the
    // pause is never shorter than two reads (a scope is read at most a third of the time).
    expect(await within(2_000)).toBe('10');
    expect(await within(2_500)).toBe('10');
    expect(await within(3_000)).toBe('12');
    expect(await within(20_000)).toBe('80');
    // Unless the data would pass --index-max-age (5m) first: 80 s reads, a pause of 60 s, data at most
    // 220 s old; and never shorter than --index-refresh.
    expect(await within(80_000, 300_000)).toBe('220');
    expect(await within(120_000, 300_000)).toBe('250');
  });

  it('pauses at least two read times after a read: a scope is read at most a third of the time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // The SQLite store itself (no HTTP): only the index's timer is fake.
      const reader = new CountingReader(data);
      reader.duringRead = () => {
        now += 4_000;
      };
      const index = new OccurrenceIndex({ store: reader, clock, settings: { refreshMs: 10_000 } });
      indexes.push(index);
      index.track({ notes: [NOTE] });
      await index.refresh();
      index.start();
      // A 4 s read: --index-refresh minus two reads would be 2 s; the pause is two reads, 8 s.
      await vi.advanceTimersByTimeAsync(7_999);
      expect(reader.scans).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(reader.scans).toBe(2));
    } finally {
      vi.useRealTimers();
    }
  });

  it('a miss reads the note again at once: the retry admits a signature written before it', async () => {
    const { reader, index } = await startedWithNote();
    data.insertOccurrences('idx', [attestation(`https://${image(5000)}`)], false);
    const noteRead = reader.hold(`note ${NOTE}`);
    // Answered from the data held, without waiting; the note's timer is 10 s away.
    expect(await index.attestations(NOTE, image(5000))).toEqual([]);
    await noteRead.reached;
    expect(index.describeAbsence(NOTE)).toMatch(
      /a signature written before this review is seen by the read under way, within about \d+s/,
    );
    noteRead.release();
    await index.refresh();
    expect(await index.attestations(NOTE, image(5000))).toHaveLength(1);
    expect(reader.reads).toEqual([`note ${NOTE}`, `note ${NOTE}`]);
  });

  it('a miss during a read asks for one more read right after it; misses of the same instant do not', async () => {
    const { reader, index } = await startedWithNote();
    now += 1_000;
    const noteRead = reader.hold(`note ${NOTE}`);
    await index.attestations(NOTE, image(6000));
    await index.attestations(NOTE, image(6001)); // another image of the same review
    await noteRead.reached;
    expect(index.describeAbsence(NOTE)).toContain('seen by the read under way');
    now += 500;
    await index.attestations(NOTE, image(6002));
    expect(index.describeAbsence(NOTE)).toContain('seen by the read after the one under way');
    noteRead.release();
    await index.refresh(); // the held read; the follow-up starts as it ends
    await index.refresh(); // the follow-up
    expect(reader.reads.filter((scope) => scope === `note ${NOTE}`)).toHaveLength(3);
    expect(index.describeAbsence(NOTE)).toContain('seen by the next refresh');
  });

  it('a failed read does not start the follow-up a miss asked for, nor do later misses: the timer reads next', async () => {
    const { reader, index } = await startedWithNote();
    now += 1_000;
    const noteRead = reader.hold(`note ${NOTE}`);
    await index.attestations(NOTE, image(7000));
    await noteRead.reached;
    now += 500;
    await index.attestations(NOTE, image(7001));
    reader.failNext(`note ${NOTE}`, new Error('grafeas is down'));
    noteRead.release();
    await index.refresh();
    expect(reader.reads.filter((scope) => scope === `note ${NOTE}`)).toHaveLength(2);
    expect(index.describeAbsence(NOTE)).toContain('seen by the next refresh, within 10s');
    // A backend that is down is not asked again at each miss.
    await index.attestations(NOTE, image(7002));
    await index.attestations(NOTE, image(7003));
    expect(reader.reads.filter((scope) => scope === `note ${NOTE}`)).toHaveLength(2);
  });

  it('a lookup of a scope it never read waits for the first read', async () => {
    const index = new OccurrenceIndex({ store, clock });
    indexes.push(index);
    expect(await index.attestations(NOTE, image(3))).toHaveLength(1);
    expect(index.readiness().ready).toBe(true);
  });

  it('a first read that fails outside a review says so, and the next refresh fills the scope', async () => {
    const reader = new GatedReader(store);
    const index = new OccurrenceIndex({ store: reader, clock });
    indexes.push(index);
    reader.failNext('project idx', new Error('backend unavailable'));
    const error = await index.vulnerabilities(image(7), 'idx').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_WARMING' });
    expect((error as Error).message).toContain(
      'its first read failed (backend unavailable); it is tried again at the next refresh',
    );
    await index.refresh();
    expect(await index.vulnerabilities(image(7), 'idx')).toHaveLength(1);
  });

  it('a note that does not exist (OSS answers 404) holds no attestations', async () => {
    const index = new OccurrenceIndex({ store, clock });
    indexes.push(index);
    expect(await index.attestations('projects/idx/notes/none', image(3))).toEqual([]);
  });

  it('a read slower than the maximum age fails closed once done, and says why and what to raise', async () => {
    const { logger, lines } = capturingLogger();
    const start = now;
    const { index } = await filled(
      { maxAgeMs: 60_000 },
      {
        logger,
        duringRead: () => {
          now = start + 90_000;
        },
      },
    );
    const error = await index.attestations(NOTE, image(7)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_TOO_OLD' });
    expect((error as Error).message).toContain('took 90s, longer than --index-max-age 60s');
    expect((error as WebhookError).fix).toContain('raise --index-max-age');
    expect(index.stats()).toEqual([
      expect.objectContaining({ scope: `note ${NOTE}`, readSeconds: 90, slowerThanMaxAge: true }),
      expect.objectContaining({ scope: 'project idx', readSeconds: 90, slowerThanMaxAge: true }),
    ]);
    const slow = lines.filter((line) => line.level === 50);
    expect(slow.map((line) => line.scope)).toEqual(expect.arrayContaining([`note ${NOTE}`, 'project idx']));
    expect(String(slow[0]?.msg)).toContain('took longer than --index-max-age');
  });

  it('the maximum age, like the reported age, runs from the start of the read', async () => {
    const start = now;
    const { index } = await filled(
      { maxAgeMs: 60_000 },
      {
        duringRead: () => {
          now = start + 30_000;
        },
      },
    );
    now += 29_000;
    expect(await index.attestations(NOTE, image(7))).toHaveLength(1);
    expect(index.stats()[0]).toMatchObject({ ageSeconds: 59, readSeconds: 30 });
    now += 2_000;
    const error = await index.attestations(NOTE, image(7)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_TOO_OLD' });
    expect((error as Error).message).toContain('holds data 61s old');
  });

  it('fails closed past the maximum age, naming the scope and the flag', async () => {
    const { index } = await filled({ maxAgeMs: 60_000 });
    now += 61_000;
    const error = await index.attestations(NOTE, image(7)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_TOO_OLD' });
    expect((error as Error).message).toContain('--index-max-age 60s');
    expect((error as Error).message).toContain(`note ${NOTE}`);
  });

  it('gates readiness on the scopes tracked before start, and warms later ones in the background', async () => {
    const reader = new GatedReader(store);
    const index = new OccurrenceIndex({ store: reader, clock });
    indexes.push(index);
    index.track({ notes: [NOTE] });
    await index.refresh();
    const held = reader.hold('project idx');
    index.track({ projects: ['idx'] });
    index.start();
    await held.reached;
    const warming = index.readiness();
    expect(warming.ready).toBe(false);
    expect(warming.reasons).toEqual(['project idx: first read in progress']);
    expect(warming.warming).toEqual(['project idx: first read in progress']);
    held.release();
    await index.refresh();
    expect(index.readiness()).toEqual({ ready: true, reasons: [], warming: [] });

    // A project tracked after start (a policy reload) warms without making the webhook unready.
    const later = reader.hold('project later');
    index.track({ projects: ['later'] });
    await later.reached;
    expect(index.readiness()).toEqual({
      ready: true,
      reasons: [],
      warming: ['project later: first read in progress'],
    });
    later.release();
    await index.refresh();
    expect(index.readiness().warming).toEqual([]);
  });

  it("a project first seen in a review fails closed within the review's deadline, naming it and when to retry", async () => {
    const { reader, index } = await startedWithNote();
    const held = reader.hold('project fresh');
    // No project was read yet: nothing to estimate from, so it waits what the deadline leaves, then says
    // to retry after a refresh interval.
    const review = index.within(new ReviewDeadline(150, () => 0));
    const error = await review.vulnerabilities(image(7), 'fresh').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_WARMING' });
    expect((error as Error).message).toContain('the index of project fresh is warming');
    expect((error as Error).message).toContain('Retry in about 10s (--index-refresh 10s)');
    expect(reader.reads.filter((scope) => scope === 'project fresh')).toHaveLength(1);
    held.release();
    await index.refresh();
    expect(await review.vulnerabilities(image(7), 'fresh')).toEqual([]);
    expect(index.readiness().ready).toBe(true);
  });

  it('a warming project answers at once when comparable reads took longer than the deadline leaves', async () => {
    const start = now;
    const reader = new GatedReader(store);
    const index = new OccurrenceIndex({ store: reader, clock, settings: { maxAgeMs: 600_000 } });
    indexes.push(index);
    const slow = reader.hold('project idx');
    index.track({ projects: ['idx'] });
    const first = index.refresh();
    await slow.reached;
    now = start + 90_000;
    slow.release();
    await first;
    index.start();
    const held = reader.hold('project other');
    const review = index.within(new ReviewDeadline(10_000));
    const error = await review.scans(image(7), 'other').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_WARMING' });
    expect((error as Error).message).toContain('Retry in about 90s (the last read of a project took 90s)');
    held.release();
  });

  it('a project read that has outlasted one deadline answers the next reviews at once', async () => {
    const { reader, index } = await startedWithNote();
    const held = reader.hold('project long');
    index.track({ projects: ['long'] });
    await held.reached;
    // No project was read before: its own 20 s so far is the estimate of what remains. Waiting would
    // take the deadline's 9.8 s of real time, past this test's timeout.
    now += 20_000;
    const review = index.within(new ReviewDeadline(10_000, clock));
    const error = await review.vulnerabilities(image(7), 'long').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_WARMING' });
    expect((error as Error).message).toContain('its first read (20s so far) cannot end');
    expect((error as Error).message).toContain(
      'Retry in about 20s (it has run 20s and is taken to need as long again)',
    );
    held.release();
  });

  it('re-reads each scope on its own timer: a long project read does not hold back the note', async () => {
    const reader = new GatedReader(store);
    const index = new OccurrenceIndex({ store: reader, clock, settings: { refreshMs: 1 } });
    indexes.push(index);
    index.track({ notes: [NOTE], projects: ['idx'] });
    await index.refresh();
    const project = reader.hold('project idx');
    index.start();
    await project.reached;
    data.insertOccurrences('idx', [attestation(`https://${image(4000)}`)], false);
    const noteRead = reader.hold(`note ${NOTE}`);
    await noteRead.reached;
    noteRead.release();
    // The note's next read starts only after that one has ended, while the project's is still held.
    const nextNoteRead = reader.hold(`note ${NOTE}`);
    await nextNoteRead.reached;
    expect(await index.attestations(NOTE, image(4000))).toHaveLength(1);
    nextNoteRead.release();
    project.release();
  });

  it('a refresh that fails keeps the old data and counts the error; the next one recovers', async () => {
    const metrics = createMetrics();
    const reader = new GatedReader(store);
    const index = new OccurrenceIndex({ store: reader, clock, metrics });
    indexes.push(index);
    index.track({ notes: [NOTE] });
    await index.refresh();
    data.insertOccurrences('idx', [attestation(`https://${image(3000)}`)], false);
    reader.failNext(`note ${NOTE}`, new Error('backend unavailable'));
    now += 1_000;
    await index.refresh();
    expect(await index.attestations(NOTE, image(7))).toHaveLength(1);
    expect(await index.attestations(NOTE, image(3000))).toEqual([]);
    expect(index.describeAbsence(NOTE)).toContain('read 1s ago');
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'signet_index_read_seconds_count', { result: 'error' })).toBe(1);
    await index.refresh();
    expect(await index.attestations(NOTE, image(3000))).toHaveLength(1);
    expect(index.readiness().ready).toBe(true);
  });

  it('stays within its bound: a read that would pass it fails, readiness says why', async () => {
    const index = new OccurrenceIndex({ store, clock, settings: { maxOccurrences: 400 } });
    indexes.push(index);
    index.track({ notes: [NOTE] });
    await index.refresh();
    index.track({ projects: ['idx'] });
    await index.refresh();
    const readiness = index.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons.join('\n')).toMatch(
      /project idx: first read failed: .*bound of 400 occurrences/,
    );
    expect(index.stats().reduce((sum, s) => sum + s.occurrences, 0)).toBeLessThanOrEqual(400);
  });
});

describe('OccurrenceIndex when the backend goes away and comes back', () => {
  it('keeps its data, answers hits and misses from it (stating its age), and recovers', async () => {
    const data = new SqliteMetadataStore(':memory:');
    data.insertNote('idx', 'qa', { kind: 'ATTESTATION' });
    data.insertOccurrences('idx', [attestation(`https://${image(1)}`)], false);
    let emulator = await startEmulator({ flavor: 'oss', store: data });
    const port = emulator.port;
    const store = await openMetadataStore(`grafeas:${emulator.url}`, {
      api: 'v1beta1',
      retry: { attempts: 1 },
    });
    let now = 0;
    const index = new OccurrenceIndex({
      store,
      clock: () => now,
      settings: { refreshMs: 1_000 },
    });
    try {
      index.track({ notes: [NOTE] });
      await index.refresh();
      const refreshing = index.refresh();
      await emulator.close();
      await refreshing;
      now += 10_000;
      expect(await index.attestations(NOTE, image(1))).toHaveLength(1);
      expect(await index.attestations(NOTE, image(2))).toEqual([]);
      expect(index.describeAbsence(NOTE)).toContain('read 10s ago');
      expect(index.readiness().ready).toBe(true);

      data.insertOccurrences('idx', [attestation(`https://${image(2)}`)], false);
      emulator = await startEmulator({ flavor: 'oss', store: data, port });
      await index.refresh();
      expect(await index.attestations(NOTE, image(2))).toHaveLength(1);
    } finally {
      index.close();
      await store.close();
      await emulator.close();
      await data.close();
    }
  });
});
