import type { MetadataStore, Occurrence, OccurrenceScope } from '@signet/grafeas-client';
import { isGrafeasError, resourceKey } from '@signet/grafeas-client';
import {
  type AttestationEvidence,
  type CosignSource,
  type MetadataSource,
  type ScanRecord,
  unreadableFindings,
  type VulnerabilityFinding,
} from '@signet/policy';
import type { Logger } from 'pino';
import type { Deadline } from '../admission/deadline.js';
import { WebhookError } from '../errors.js';
import type { WebhookMetrics } from '../monitoring/metrics.js';
import type { Readiness } from '../monitoring/readiness.js';
import {
  attestationEntry,
  decodeAttestation,
  decodeImageFacts,
  type IndexEntry,
  imageFactEntry,
  unreadableEntry,
} from './index-entries.js';
import { type ScopeSnapshot, snapshotOf } from './index-snapshot.js';
import type { RegistryCosignReader } from './registry-cosign-reader.js';

export interface IndexSettings {
  /** How often every scope is re-read in the background (`--index-refresh`). */
  refreshMs: number;
  /**
   * When a scope's data is older than this (from the start of the read that produced it), the index
   * answers nothing for it: decisions fail closed (`--index-max-age`). A read that itself takes longer
   * is logged as an error and exported as slow.
   */
  maxAgeMs: number;
  /** Occurrences held over all scopes; a read that would pass it fails and the old data stays. */
  maxOccurrences: number;
}

export const DEFAULT_INDEX_SETTINGS: IndexSettings = {
  refreshMs: 10_000,
  maxAgeMs: 5 * 60_000,
  // About 0.5 KiB of heap each (more with PGP-armored signatures), twice while a refresh builds the next
  // copy: 200k stays inside the --max-old-space-size=384 of deploy/deployment.yaml.
  maxOccurrences: 200_000,
};

/** Where a project's unreadable occurrences of unknown resource are held (no resource URL is empty). */
const UNPLACED = '';

/** Kept of a review's remaining time for deciding once a warming scope's read is in (verifying, answering). */
const DECIDE_RESERVE_MS = 200;

/** The store calls the index needs. */
type IndexReader = Pick<MetadataStore, 'backend' | 'visitOccurrences'>;

export interface OccurrenceIndexOptions {
  store: IndexReader;
  settings?: Partial<IndexSettings>;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  clock?: () => number;
  metrics?: WebhookMetrics;
  logger?: Logger;
  /** Where cosign authorities read signatures (not indexed: the registry client caches); without it they deny. */
  cosign?: RegistryCosignReader;
}

interface Scope {
  label: string;
  scope: OccurrenceScope;
  /** What decisions need of one occurrence; undefined when it holds nothing for them. */
  entry: (occurrence: Occurrence) => IndexEntry | undefined;
  kind: 'note' | 'project';
  /** Tracked before `start()`: `/readyz` waits for its first read. Later scopes warm in the background. */
  gatesReadiness: boolean;
  snapshot?: ScopeSnapshot<IndexEntry[]>;
  reading?: Promise<ScopeSnapshot<IndexEntry[]>>;
  /** When the read under way started. */
  readingSince?: number;
  /** The next refresh, once the index has started and no read is under way. */
  timer?: NodeJS.Timeout;
  /** A miss came while a read was under way: the next read starts as soon as it ends (see `readAgainSoon`). */
  followUp?: boolean;
  lastError?: unknown;
}

/**
 * Metadata for backends that ignore list filters (open-source Grafeas): instead of reading a whole
 * project per digest, one shared index per note (resource → attestations) and per project (resource →
 * vulnerabilities and scan status), filled when tracked, refreshed in the background. Reads stream:
 * each occurrence is reduced to what decisions read as its page arrives, and only that is kept.
 * A lookup never waits for a refresh, and a miss never waits for a read: it answers from the data held,
 * starts the note's next read at once (`readAgainSoon`), and the denial states the data's age and when
 * a signature written before the review will be seen (`describeAbsence`). Only a
 * scope that holds no data yet (warming: a project first seen in a review) is waited for, and only as
 * long as the review's deadline allows (`within`); past that the lookup fails closed, saying that the
 * scope is warming and when to retry. Scopes tracked before `start()` gate `/readyz`.
 *
 * Ages: the data's age runs from the start of the read that produced it (everything stored before then
 * is in it). Past `maxAgeMs` the scope fails closed: its backend has stopped answering, or its reads
 * take longer than `maxAgeMs` (then the data is too old on arrival; the denial and an error log say to
 * raise `--index-max-age` above the read time, and `signet_index_read_slower_than_max_age` is set).
 */
export class OccurrenceIndex implements MetadataSource, Partial<CosignSource> {
  readonly description: string;
  /** Present only with a registry reader (see CosignSource). */
  readonly cosignArtifacts?: CosignSource['cosignArtifacts'];
  readonly settings: IndexSettings;
  private readonly notes = new Map<string, Scope>();
  private readonly projects = new Map<string, Scope>();
  private readonly clock: () => number;
  private started = false;
  private readonly stopping = new AbortController();
  private readWaiters: { since: number; resolve: () => void }[] = [];

  constructor(private readonly options: OccurrenceIndexOptions) {
    this.description = `${options.store.backend} (indexed: it ignores filters)`;
    this.settings = { ...DEFAULT_INDEX_SETTINGS, ...options.settings };
    this.clock = options.clock ?? Date.now;
    if (options.cosign) this.cosignArtifacts = options.cosign.cosignArtifacts;
  }

  /** Notes and projects to keep filled; new ones are read at once. */
  track(scopes: { notes?: Iterable<string>; projects?: Iterable<string> }): void {
    for (const note of scopes.notes ?? []) this.noteScope(note);
    for (const project of scopes.projects ?? []) this.projectScope(project);
  }

  /**
   * Re-read each scope in the background on its own timer (see `refreshDelayMs`): a note's attestations
   * are not held back by a project's long read, so a new signature is seen within `--index-refresh`
   * whatever the project's size.
   */
  start(): void {
    this.started = true;
    for (const scope of this.scopes()) if (!scope.reading) this.scheduleRefresh(scope);
  }

  private scheduleRefresh(scope: Scope): void {
    clearTimeout(scope.timer);
    if (!this.started || this.stopping.signal.aborted) return;
    scope.timer = setTimeout(
      () => {
        scope.timer = undefined;
        // A failed read keeps the old data and schedules the next one (see `read`).
        this.read(scope).catch(() => {});
      },
      this.refreshDelayMs(scope.snapshot?.readMs ?? 0),
    );
    scope.timer.unref();
  }

  /**
   * A miss on a note may be a signature written since its data was read (sign, then deploy): the note
   * is read again now, or as soon as the read under way ends, so the retry that follows is admitted
   * within two read times instead of waiting for the timer. One read at a time: a steady stream of
   * misses reads the note back to back, never more. Once a read has failed, misses leave the note to
   * the timer until one succeeds: a backend that is down is not asked again at every miss.
   */
  private readAgainSoon(scope: Scope): void {
    if (!this.started || this.stopping.signal.aborted || !scope.snapshot || scope.lastError) return;
    if (scope.reading) {
      // A read this very instant's miss started (another image of the same review) holds what it needs.
      if ((scope.readingSince ?? 0) < this.clock()) scope.followUp = true;
      return;
    }
    clearTimeout(scope.timer);
    scope.timer = undefined;
    this.read(scope).catch(() => {});
  }

  /**
   * The pause after a read of `readMs` ends. A write made just after a read started is seen when the
   * next one ends: pause + 2 × readMs later. The pause makes that `refreshMs` while a read takes at most
   * a quarter of it, and is otherwise two reads, so a scope is being read at most a third of the time
   * and a write is seen within 4 × readMs. On open-source Grafeas each page of a project costs the
   * server a scan and sort of the whole project: with pauses of `refreshMs`, a 100k project's 20 s
   * reads kept it busy two thirds of the time. Two reads give way where the data would pass `maxAgeMs`
   * before the next read ends (with one read to spare), and the pause is never shorter than the read or
   * `refreshMs`, whichever is less. A miss does not wait for it (`readAgainSoon`).
   */
  private refreshDelayMs(readMs: number): number {
    const { refreshMs, maxAgeMs } = this.settings;
    const thirdOfTheTime = Math.min(2 * readMs, maxAgeMs - 3 * readMs);
    return Math.max(refreshMs - 2 * readMs, Math.min(readMs, refreshMs), thirdOfTheTime);
  }

  /** Starts a read of every scope not being read already; resolves when they have all ended. */
  async refresh(): Promise<void> {
    await Promise.allSettled(this.scopes().map((scope) => this.read(scope)));
  }

  /**
   * Ready once every scope tracked before `start()` holds data; scopes added later (a policy reload, a
   * project first seen in a review) are listed as warming without making the webhook unready.
   */
  readiness(): Readiness {
    const warming = this.scopes().filter((scope) => !scope.snapshot);
    const describe = (scope: Scope) =>
      `${scope.label}: first read ${scope.lastError ? `failed: ${messageOf(scope.lastError)}` : 'in progress'}`;
    const reasons = warming.filter((scope) => scope.gatesReadiness).map(describe);
    return { ready: reasons.length === 0, reasons, warming: warming.map(describe) };
  }

  /**
   * The same index for one review: a lookup of a warming scope waits for its first read only as long
   * as the review's deadline allows, then fails closed (INDEX_WARMING), in time. Cosign reads go to
   * the registry, and are given up once the deadline has answered the review.
   */
  within(deadline: Deadline): Required<MetadataSource> & Partial<CosignSource> {
    const waitMs = () => Math.max(0, deadline.remainingMs() - DECIDE_RESERVE_MS);
    const cosign = this.options.cosign;
    return {
      ...(cosign ? { cosignArtifacts: cosign.within(deadline) } : {}),
      description: this.description,
      attestations: (noteName, resourceUrl) => this.attestationsWaiting(noteName, resourceUrl, waitMs()),
      vulnerabilities: (resourceUrl, project) => this.vulnerabilitiesWaiting(resourceUrl, project, waitMs()),
      scans: (resourceUrl, project) => this.scansWaiting(resourceUrl, project, waitMs()),
      describeAbsence: (noteName) => this.describeAbsence(noteName),
    };
  }

  /** Per scope: the data's age, the last read's duration, occurrences held (for metrics and tests). */
  stats(): IndexStats[] {
    const now = this.clock();
    return this.scopes().flatMap((scope) => {
      const snapshot = scope.snapshot;
      if (!snapshot) return [];
      return [
        {
          scope: scope.label,
          ageSeconds: (now - snapshot.readAt) / 1000,
          readSeconds: snapshot.readMs / 1000,
          slowerThanMaxAge: snapshot.readMs > this.settings.maxAgeMs,
          occurrences: snapshot.size,
        },
      ];
    });
  }

  /** Resolves once every tracked scope holds a read that started at `since` or later. */
  readSince(since: number): Promise<void> {
    return new Promise((resolve) => {
      this.readWaiters.push({ since, resolve });
      this.wakeReadWaiters();
    });
  }

  private wakeReadWaiters(): void {
    const oldest = Math.min(
      ...this.scopes().map((scope) => scope.snapshot?.readAt ?? Number.NEGATIVE_INFINITY),
    );
    const [due, waiting] = partition(this.readWaiters, (waiter) => oldest >= waiter.since);
    this.readWaiters = waiting;
    for (const waiter of due) waiter.resolve();
  }

  close(): void {
    for (const scope of this.scopes()) clearTimeout(scope.timer);
    this.stopping.abort(new Error('the webhook is stopping'));
  }

  /** Outside a review (the audit, tests): a warming scope is waited for until its first read ends. */
  attestations(noteName: string, resourceUrl: string): Promise<AttestationEvidence[]> {
    return this.attestationsWaiting(noteName, resourceUrl, Number.POSITIVE_INFINITY);
  }

  vulnerabilities(resourceUrl: string, project: string): Promise<VulnerabilityFinding[]> {
    return this.vulnerabilitiesWaiting(resourceUrl, project, Number.POSITIVE_INFINITY);
  }

  scans(resourceUrl: string, project: string): Promise<ScanRecord[]> {
    return this.scansWaiting(resourceUrl, project, Number.POSITIVE_INFINITY);
  }

  /**
   * A miss can only deny (no attestation), so it is answered from the data held however current, as long
   * as that is within `--index-max-age`; the denial says how old it is and when a signature written
   * before this review is seen: by the read the miss started (`readAgainSoon`), or else by the timer's.
   */
  describeAbsence(noteName: string): string | undefined {
    const scope = this.notes.get(noteName);
    const snapshot = scope?.snapshot;
    if (!scope || !snapshot) return undefined;
    const now = this.clock();
    const age = seconds(now - snapshot.readAt);
    const readMs = snapshot.readMs;
    if (scope.reading && scope.readingSince !== undefined) {
      const current = Math.max(0, scope.readingSince + readMs - now);
      const seenWithin = seconds(current + (scope.followUp ? readMs : 0));
      const which = scope.followUp ? 'the read after the one under way' : 'the read under way';
      return `the index of ${this.options.store.backend} read ${age}s ago: a signature written before this review is seen by ${which}, within about ${seenWithin}s (this note's reads take ${seconds(readMs)}s); retry then`;
    }
    const seenWithin = seconds(this.refreshDelayMs(readMs) + 2 * readMs);
    return `the index of ${this.options.store.backend} read ${age}s ago: a signature written since then is seen by the next refresh, within ${seenWithin}s (--index-refresh ${seconds(this.settings.refreshMs)}s, and this note's read time)`;
  }

  private async attestationsWaiting(
    noteName: string,
    resourceUrl: string,
    waitMs: number,
  ): Promise<AttestationEvidence[]> {
    const scope = this.noteScope(noteName);
    const entries = await this.lookup(scope, resourceUrl, waitMs);
    if (!entries?.length) this.readAgainSoon(scope);
    return (entries ?? []).map((entry) => decodeAttestation(noteName, entry));
  }

  private async vulnerabilitiesWaiting(
    resourceUrl: string,
    project: string,
    waitMs: number,
  ): Promise<VulnerabilityFinding[]> {
    // A miss here admits (no findings): the max-age rule of `lookup` is what keeps it safe.
    const scope = this.projectScope(project);
    const entries = await this.lookup(scope, resourceUrl, waitMs);
    const unplaced = scope.snapshot?.byResource.get(UNPLACED) ?? [];
    return decodeImageFacts([...unplaced, ...(entries ?? [])]).vulnerabilities;
  }

  private async scansWaiting(resourceUrl: string, project: string, waitMs: number): Promise<ScanRecord[]> {
    const entries = await this.lookup(this.projectScope(project), resourceUrl, waitMs);
    return decodeImageFacts(entries ?? []).scans;
  }

  /** From the data held, never a read; a scope without data yet is waited for at most `waitMs`. */
  private async lookup(scope: Scope, resourceUrl: string, waitMs: number): Promise<IndexEntry[] | undefined> {
    const snapshot = scope.snapshot ?? (await this.firstRead(scope, waitMs));
    this.assertYoungerThanMaxAge(scope, snapshot, this.clock());
    return snapshot.byResource.get(resourceKey(resourceUrl));
  }

  /**
   * The first read of a warming scope, when it can end within `waitMs` (see `estimateReadMs`); otherwise
   * INDEX_WARMING at once, or when `waitMs` runs out.
   */
  private async firstRead(scope: Scope, waitMs: number): Promise<ScopeSnapshot<IndexEntry[]>> {
    const reading = this.read(scope);
    const elapsed = () => this.clock() - (scope.readingSince ?? this.clock());
    const estimate = this.estimateReadMs(scope, elapsed());
    if (estimate.ms - elapsed() > waitMs) throw this.warming(scope, estimate, elapsed());
    const snapshot = await this.waitAtMost(reading, waitMs);
    if (snapshot) return snapshot;
    throw this.warming(scope, this.estimateReadMs(scope, elapsed()), elapsed());
  }

  /**
   * How long a first read that has run `elapsed` is expected to take: at least the longest last read of
   * the scopes of its kind (a note or a project), and at least twice `elapsed` (a read that has outlasted
   * one review's deadline is taken to need as long again), so reviews of a project whose first read is
   * long answer at once instead of each waiting out its deadline: controllers retry, the API server's
   * and the controllers' workers are not held.
   */
  private estimateReadMs(scope: Scope, elapsed: number): ReadEstimate {
    const longest = Math.max(
      0,
      ...this.scopes()
        .filter((other) => other.kind === scope.kind && other.snapshot)
        .map((other) => other.snapshot?.readMs ?? 0),
    );
    if (longest >= 2 * elapsed && longest > 0)
      return { ms: longest, basis: `the last read of a ${scope.kind} took ${seconds(longest)}s` };
    if (elapsed < this.settings.refreshMs)
      return {
        ms: 2 * elapsed,
        basis: `--index-refresh ${seconds(this.settings.refreshMs)}s`,
        atLeastMs: this.settings.refreshMs,
      };
    return { ms: 2 * elapsed, basis: `it has run ${seconds(elapsed)}s and is taken to need as long again` };
  }

  private warming(scope: Scope, estimate: ReadEstimate, elapsed: number): WebhookError {
    const retryMs = Math.max(1_000, estimate.atLeastMs ?? 0, estimate.ms - elapsed);
    const state =
      scope.lastError && !scope.reading
        ? `its first read failed (${messageOf(scope.lastError)}); it is tried again at the next refresh`
        : `its first read (${Math.round(elapsed / 1000)}s so far) cannot end within this review's deadline`;
    // The retry time is in the message: a denial shows the message of a failed lookup, not its fix.
    return new WebhookError(
      'INDEX_WARMING',
      `the index of ${scope.label} is warming: ${this.options.store.backend} ignores filters, so Signet reads the ${scope.kind} whole, in the background, and ${state}. Retry in about ${seconds(retryMs)}s (${estimate.basis}); controllers retry Pods on their own`,
      `retry in about ${seconds(retryMs)}s. To warm it before reviews, name the ${scope.kind} in a policy${scope.kind === 'project' ? ' allowlist or with --project' : ''}`,
    );
  }

  /** The work's result, or undefined when it failed or took longer than `ms` (it goes on in the background). */
  private async waitAtMost<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
    if (ms === Number.POSITIVE_INFINITY) return work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      return await Promise.race([work.catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private assertYoungerThanMaxAge(scope: Scope, snapshot: ScopeSnapshot<IndexEntry[]>, now: number): void {
    const age = now - snapshot.readAt;
    if (age <= this.settings.maxAgeMs) return;
    const maxAge = `--index-max-age ${Math.round(this.settings.maxAgeMs / 1000)}s`;
    if (snapshot.readMs > this.settings.maxAgeMs) {
      throw new WebhookError(
        'INDEX_TOO_OLD',
        `the last read of the index of ${scope.label} took ${Math.round(snapshot.readMs / 1000)}s, longer than ${maxAge}: its data is too old on arrival`,
        `raise --index-max-age above the read time, or use a backend that filters (Container Analysis, grafeas-pgsql)`,
      );
    }
    const since = now - snapshot.completedAt;
    throw new WebhookError(
      'INDEX_TOO_OLD',
      `the index of ${scope.label} holds data ${Math.round(age / 1000)}s old, more than ${maxAge}: its last read completed ${Math.round(since / 1000)}s ago and ${this.options.store.backend} has not answered since${scope.lastError ? ` (${messageOf(scope.lastError)})` : ''}`,
      'check that the Grafeas server is up and its listings finish; decisions resume with the next successful read',
    );
  }

  private read(scope: Scope): Promise<ScopeSnapshot<IndexEntry[]>> {
    if (scope.reading) return scope.reading;
    const started = this.clock();
    scope.readingSince = started;
    const reading = this.fill(scope, started)
      .then((snapshot) => {
        if (!scope.snapshot) this.reportWarm(scope, snapshot);
        scope.snapshot = snapshot;
        scope.lastError = undefined;
        this.wakeReadWaiters();
        this.options.metrics?.indexReads.observe({ result: 'ok' }, snapshot.readMs / 1000);
        if (snapshot.readMs > this.settings.maxAgeMs) this.reportSlowRead(scope, snapshot);
        return snapshot;
      })
      .catch((error: unknown) => {
        scope.lastError = error;
        this.options.metrics?.indexReads.observe({ result: 'error' }, (this.clock() - started) / 1000);
        this.options.logger?.warn(
          { err: error, scope: scope.label },
          'index read failed; the last one stays',
        );
        throw error;
      })
      .finally(() => {
        const followUp = scope.followUp && !scope.lastError && !this.stopping.signal.aborted;
        scope.reading = undefined;
        scope.readingSince = undefined;
        scope.followUp = false;
        if (followUp) this.read(scope).catch(() => {});
        else this.scheduleRefresh(scope);
      });
    reading.catch(() => {});
    scope.reading = reading;
    return reading;
  }

  /** One streamed read of the scope into a new map; the current snapshot serves until it completes. */
  private async fill(scope: Scope, started: number): Promise<ScopeSnapshot<IndexEntry[]>> {
    const byResource = new Map<string, IndexEntry[]>();
    let held = 0;
    const budget = this.budgetFor(scope);
    const hold = (key: string, entry: IndexEntry) => {
      const entries = byResource.get(key);
      if (entries) entries.push(entry);
      else byResource.set(key, [entry]);
      held += 1;
      if (held > budget) throw indexFull(scope.label, this.settings.maxOccurrences);
    };
    try {
      const { skipped } = await this.options.store.visitOccurrences(
        scope.scope,
        (occurrence) => {
          const entry = scope.entry(occurrence);
          if (entry !== undefined) hold(resourceKey(occurrence.resourceUri), entry);
        },
        { signal: this.stopping.signal },
      );
      // Reading is part of deciding: an unreadable occurrence that may be a vulnerability or a scan is
      // held as a finding that fails its image closed (every image of the project, when its resource is unknown).
      if ('project' in scope.scope) {
        for (const record of skipped) {
          const [finding] = unreadableFindings([record]);
          if (!finding) continue;
          hold(record.resourceUri ? resourceKey(record.resourceUri) : UNPLACED, unreadableEntry(finding));
        }
        if (skipped.length > 0) {
          this.options.logger?.warn(
            { scope: scope.label, skipped: skipped.slice(0, 10) },
            'unreadable occurrences skipped',
          );
        }
      }
    } catch (error) {
      // A note that does not exist holds no attestations.
      if (!(isGrafeasError(error, 'GRAFEAS_NOT_FOUND') && 'noteName' in scope.scope)) throw error;
    }
    // Other scopes may have grown while this one was read.
    if (held > this.budgetFor(scope)) throw indexFull(scope.label, this.settings.maxOccurrences);
    return snapshotOf(byResource, held, started, this.clock());
  }

  private reportWarm(scope: Scope, snapshot: ScopeSnapshot<IndexEntry[]>): void {
    this.options.logger?.info(
      { scope: scope.label, readSeconds: snapshot.readMs / 1000, occurrences: snapshot.size },
      'index scope warm',
    );
  }

  private reportSlowRead(scope: Scope, snapshot: ScopeSnapshot<IndexEntry[]>): void {
    this.options.logger?.error(
      {
        scope: scope.label,
        readSeconds: Math.round(snapshot.readMs / 1000),
        maxAgeSeconds: Math.round(this.settings.maxAgeMs / 1000),
      },
      `reading ${scope.label} took longer than --index-max-age: its data is that old when it arrives, so its decisions fail closed. Raise --index-max-age above the read time or use a backend that filters (Container Analysis, grafeas-pgsql)`,
    );
  }

  /** Occurrences this scope may hold: the bound minus what the other scopes hold. */
  private budgetFor(scope: Scope): number {
    const others = this.scopes()
      .filter((other) => other !== scope)
      .reduce((sum, other) => sum + (other.snapshot?.size ?? 0), 0);
    return Math.max(0, this.settings.maxOccurrences - others);
  }

  private scopes(): Scope[] {
    return [...this.notes.values(), ...this.projects.values()];
  }

  private noteScope(noteName: string): Scope {
    return this.scope(this.notes, noteName, {
      label: `note ${noteName}`,
      kind: 'note',
      gatesReadiness: !this.started,
      scope: { noteName },
      entry: attestationEntry,
    });
  }

  private projectScope(project: string): Scope {
    return this.scope(this.projects, project, {
      label: `project ${project}`,
      kind: 'project',
      gatesReadiness: !this.started,
      scope: { project },
      entry: imageFactEntry,
    });
  }

  private scope(map: Map<string, Scope>, key: string, fresh: Scope): Scope {
    let scope = map.get(key);
    if (!scope) {
      scope = fresh;
      map.set(key, scope);
      this.options.logger?.info(
        { scope: scope.label, beforeReady: scope.gatesReadiness },
        scope.gatesReadiness ? 'index scope warming before ready' : 'index scope warming in the background',
      );
      if (!this.stopping.signal.aborted) this.read(scope).catch(() => {});
    }
    return scope;
  }
}

/** A warming scope's expected first-read time, what it is based on, and the shortest retry to announce. */
interface ReadEstimate {
  ms: number;
  basis: string;
  atLeastMs?: number;
}

/** Per scope and per read: how decisions see a scope, exported as metrics. */
export interface IndexStats {
  scope: string;
  /** Since the start of the read that produced the data held. */
  ageSeconds: number;
  /** How long that read took. */
  readSeconds: number;
  /** That read took longer than --index-max-age. */
  slowerThanMaxAge: boolean;
  /** Occurrences held (a project holds its vulnerabilities and discoveries, not its attestations). */
  occurrences: number;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function indexFull(label: string, bound: number): WebhookError {
  return new WebhookError(
    'INDEX_FULL',
    `reading ${label} would pass the index's bound of ${bound} occurrences`,
    'raise --index-max-occurrences (and the memory limit), or use a backend that filters (Container Analysis)',
  );
}

/** Whole seconds, rounded up: a retry or a wait is never announced shorter than it is. */
function seconds(ms: number): number {
  return Math.ceil(Math.max(0, ms) / 1000);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
