import type { MetadataStore, Occurrence, OccurrenceScope } from '@signet/grafeas-client';
import { isGrafeasError, resourceKey } from '@signet/grafeas-client';
import {
  type AttestationEvidence,
  attestationEvidence,
  type MetadataSource,
  type VulnerabilityFinding,
  vulnerabilityFinding,
} from '@signet/policy';
import type { Logger } from 'pino';
import { WebhookError } from '../errors.js';
import type { Readiness } from '../server/app.js';
import type { WebhookMetrics } from '../server/metrics.js';
import { type ScopeSnapshot, snapshotOf } from './index-snapshot.js';

export interface IndexSettings {
  /** How often every scope is re-read in the background (`--index-refresh`). */
  refreshMs: number;
  /** Older than this, the index answers nothing: decisions fail closed (`--index-max-age`). */
  maxAgeMs: number;
  /** How long a lookup that found nothing waits for the re-read of its scope. */
  missWaitMs: number;
  /** Occurrences held over all scopes; a read that would pass it fails and the old data stays. */
  maxOccurrences: number;
}

export const DEFAULT_INDEX_SETTINGS: IndexSettings = {
  refreshMs: 10_000,
  maxAgeMs: 5 * 60_000,
  missWaitMs: 1_000,
  maxOccurrences: 500_000,
};

/** A miss re-reads its scope only when the data is older than this: at most one re-read a second. */
const REREAD_AFTER_MS = 1_000;

/** The store calls the index needs. */
export type IndexReader = Pick<MetadataStore, 'backend' | 'scanOccurrences'>;

export interface OccurrenceIndexOptions {
  store: IndexReader;
  settings?: Partial<IndexSettings>;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  clock?: () => number;
  metrics?: WebhookMetrics;
  logger?: Logger;
}

interface Scope<V> {
  label: string;
  scope: OccurrenceScope;
  build: (items: readonly Occurrence[]) => Map<string, V>;
  snapshot?: ScopeSnapshot<V>;
  reading?: Promise<ScopeSnapshot<V>>;
  lastError?: unknown;
}

/** What the index keeps of an image in a project: its vulnerabilities, and whether it was scanned. */
export interface ImageFacts {
  vulnerabilities: VulnerabilityFinding[];
  discovered: boolean;
}

/**
 * Metadata for backends that ignore list filters (open-source Grafeas): instead of reading a whole
 * project per digest, one shared index per note (resource → attestations) and per project (resource →
 * vulnerabilities and discovery), filled when tracked, refreshed in the background. A lookup never
 * waits for a refresh; an attestation lookup that finds nothing triggers a single-flight re-read of its
 * note and waits for it at most `missWaitMs` (an image without vulnerabilities is the common case, so
 * those wait for the next refresh). Misses are trusted only while the data is current (younger than two
 * refresh intervals plus twice the last read's duration); nothing is trusted past `maxAgeMs`.
 */
export class OccurrenceIndex implements MetadataSource {
  readonly description: string;
  readonly settings: IndexSettings;
  private readonly notes = new Map<string, Scope<AttestationEvidence[]>>();
  private readonly projects = new Map<string, Scope<ImageFacts>>();
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readWaiters: { since: number; resolve: () => void }[] = [];

  constructor(private readonly options: OccurrenceIndexOptions) {
    this.description = `${options.store.backend} (indexed: it ignores filters)`;
    this.settings = { ...DEFAULT_INDEX_SETTINGS, ...options.settings };
    this.clock = options.clock ?? Date.now;
  }

  /** Notes and projects to keep filled; new ones are read at once. */
  track(scopes: { notes?: Iterable<string>; projects?: Iterable<string> }): void {
    for (const note of scopes.notes ?? []) this.noteScope(note);
    for (const project of scopes.projects ?? []) this.projectScope(project);
  }

  /** Re-read every tracked scope every `refreshMs`, in the background. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refresh(), this.settings.refreshMs);
    this.timer.unref();
  }

  /** Starts a read of every scope not being read already; resolves when they have all ended. */
  async refresh(): Promise<void> {
    await Promise.allSettled(this.scopes().map((scope) => this.read(scope)));
  }

  readiness(): Readiness {
    const reasons = this.scopes()
      .filter((scope) => !scope.snapshot)
      .map(
        (scope) =>
          `${scope.label}: first read ${scope.lastError ? `failed: ${messageOf(scope.lastError)}` : 'in progress'}`,
      );
    return { ready: reasons.length === 0, reasons };
  }

  /** Age in seconds and occurrences held, per scope (for metrics and tests). */
  stats(): { scope: string; ageSeconds: number; occurrences: number }[] {
    const now = this.clock();
    return this.scopes().flatMap((scope) =>
      scope.snapshot
        ? [
            {
              scope: scope.label,
              ageSeconds: (now - scope.snapshot.readAt) / 1000,
              occurrences: scope.snapshot.size,
            },
          ]
        : [],
    );
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
    clearInterval(this.timer);
    this.stopping.abort(new Error('the webhook is stopping'));
  }

  async attestations(noteName: string, resourceUrl: string): Promise<AttestationEvidence[]> {
    return (await this.lookup(this.noteScope(noteName), resourceUrl, true)) ?? [];
  }

  async vulnerabilities(resourceUrl: string, project: string): Promise<VulnerabilityFinding[]> {
    // Most images have no vulnerabilities: re-reading a whole project for each would cost every decision.
    return (await this.lookup(this.projectScope(project), resourceUrl, false))?.vulnerabilities ?? [];
  }

  private async lookup<V>(
    scope: Scope<V>,
    resourceUrl: string,
    rereadOnMiss: boolean,
  ): Promise<V | undefined> {
    const asked = this.clock();
    const key = resourceKey(resourceUrl);
    const snapshot = scope.snapshot ?? (await this.read(scope));
    this.assertYoungerThanMaxAge(scope, snapshot, asked);
    const hit = snapshot.byResource.get(key);
    if (hit !== undefined || asked - snapshot.readAt <= REREAD_AFTER_MS) return hit;
    const reread = rereadOnMiss
      ? await this.waitAtMost(this.read(scope), this.settings.missWaitMs)
      : undefined;
    if (reread) return reread.byResource.get(key);
    this.assertCurrent(scope, snapshot, asked);
    return undefined;
  }

  /** The re-read, or undefined when it failed or took longer than `ms` (it goes on in the background). */
  private async waitAtMost<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
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

  private assertYoungerThanMaxAge<V>(scope: Scope<V>, snapshot: ScopeSnapshot<V>, now: number): void {
    const age = now - snapshot.readAt;
    if (age <= this.settings.maxAgeMs) return;
    throw new WebhookError(
      'INDEX_TOO_OLD',
      `the index of ${scope.label} was last read ${Math.round(age / 1000)}s ago, more than --index-max-age ${Math.round(this.settings.maxAgeMs / 1000)}s: ${this.options.store.backend} has not answered since${scope.lastError ? ` (${messageOf(scope.lastError)})` : ''}`,
      'check that the Grafeas server is up and its listings finish; decisions resume with the next successful read',
    );
  }

  /** A miss is an answer only while the data is current; otherwise it may be an image signed since. */
  private assertCurrent<V>(scope: Scope<V>, snapshot: ScopeSnapshot<V>, now: number): void {
    const age = now - snapshot.readAt;
    if (age <= 2 * (this.settings.refreshMs + snapshot.readMs)) return;
    throw new WebhookError(
      'INDEX_NOT_CURRENT',
      `nothing was found for this image in the index of ${scope.label}, last read ${Math.round(age / 1000)}s ago, and re-reading it failed or took longer than ${this.settings.missWaitMs} ms${scope.lastError ? ` (${messageOf(scope.lastError)})` : ''}`,
      `check that ${this.options.store.backend} is up; images found in the index are still decided`,
    );
  }

  private read<V>(scope: Scope<V>): Promise<ScopeSnapshot<V>> {
    if (scope.reading) return scope.reading;
    const started = this.clock();
    const budget = this.budgetFor(scope);
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, this.stopping.signal]);
    const reading = this.options.store
      .scanOccurrences(scope.scope, {
        signal,
        onPage: ({ items }) => {
          if (items > budget) controller.abort(indexFull(scope.label, this.settings.maxOccurrences));
        },
      })
      .catch((error: unknown) => {
        // A note that does not exist holds no attestations.
        if (isGrafeasError(error, 'GRAFEAS_NOT_FOUND') && 'noteName' in scope.scope) return { items: [] };
        throw controller.signal.aborted ? controller.signal.reason : error;
      })
      .then((listed) => {
        // Other scopes may have grown while this one was read.
        if (listed.items.length > this.budgetFor(scope))
          throw indexFull(scope.label, this.settings.maxOccurrences);
        const snapshot = snapshotOf(scope.build(listed.items), listed.items.length, started, this.clock());
        scope.snapshot = snapshot;
        scope.lastError = undefined;
        this.wakeReadWaiters();
        this.options.metrics?.indexReads.observe({ result: 'ok' }, snapshot.readMs / 1000);
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
        scope.reading = undefined;
      });
    reading.catch(() => {});
    scope.reading = reading;
    return reading;
  }

  /** Occurrences this scope may hold: the bound minus what the other scopes hold. */
  private budgetFor<V>(scope: Scope<V>): number {
    const others = this.scopes()
      .filter((other) => other !== scope)
      .reduce((sum, other) => sum + (other.snapshot?.size ?? 0), 0);
    return Math.max(0, this.settings.maxOccurrences - others);
  }

  private scopes(): Scope<unknown>[] {
    return [...this.notes.values(), ...this.projects.values()] as Scope<unknown>[];
  }

  private noteScope(noteName: string): Scope<AttestationEvidence[]> {
    return this.scope(this.notes, noteName, {
      label: `note ${noteName}`,
      scope: { noteName },
      build: groupAttestations,
    });
  }

  private projectScope(project: string): Scope<ImageFacts> {
    return this.scope(this.projects, project, {
      label: `project ${project}`,
      scope: { project },
      build: buildImageFacts,
    });
  }

  private scope<V>(map: Map<string, Scope<V>>, key: string, fresh: Scope<V>): Scope<V> {
    let scope = map.get(key);
    if (!scope) {
      scope = fresh;
      map.set(key, scope);
      if (!this.stopping.signal.aborted) this.read(scope).catch(() => {});
    }
    return scope;
  }
}

function groupAttestations(items: readonly Occurrence[]): Map<string, AttestationEvidence[]> {
  const out = new Map<string, AttestationEvidence[]>();
  for (const occurrence of items) {
    if (occurrence.kind !== 'ATTESTATION') continue;
    const key = resourceKey(occurrence.resourceUri);
    const evidence = attestationEvidence(occurrence);
    const list = out.get(key);
    if (list) list.push(evidence);
    else out.set(key, [evidence]);
  }
  return out;
}

function buildImageFacts(items: readonly Occurrence[]): Map<string, ImageFacts> {
  const out = new Map<string, ImageFacts>();
  for (const occurrence of items) {
    if (occurrence.kind === 'ATTESTATION') continue;
    const key = resourceKey(occurrence.resourceUri);
    let facts = out.get(key);
    if (!facts) {
      facts = { vulnerabilities: [], discovered: false };
      out.set(key, facts);
    }
    if (occurrence.kind === 'VULNERABILITY') facts.vulnerabilities.push(vulnerabilityFinding(occurrence));
    else facts.discovered = true;
  }
  return out;
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
