import { errorMessage } from '@signet/errors';
import type { Logger } from 'pino';

/** The fields of a coordination.k8s.io/v1 Lease that the election reads and writes. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Milliseconds since the epoch. */
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
  resourceVersion?: string;
}

/** The Lease, through the API server. `conflict`: another writer changed or created it first. */
export interface LeaseApi {
  read(): Promise<LeaseRecord | undefined>;
  /** The Lease as stored (with its new resourceVersion). */
  create(record: LeaseRecord): Promise<LeaseRecord | 'conflict'>;
  /** Replaces the Lease if it is still at `record.resourceVersion`. */
  replace(record: LeaseRecord): Promise<LeaseRecord | 'conflict'>;
}

export interface LeaderElectionOptions {
  api: LeaseApi;
  /** Who this replica is (its pod name and a random suffix). */
  identity: string;
  /** A holder that has not renewed for this long has lost the lease. */
  leaseDurationMs: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  logger?: Logger;
}

/**
 * Leader election on one Lease, as client-go does it: the holder renews every third of the lease
 * duration and gives up leading when it has not managed to for two thirds of it (before anyone else
 * may take over); the others try every fifth of it, and take over once the holder's renewTime is a
 * whole lease duration old. `stop()` releases the lease, so a rolling update hands over at once.
 */
export class LeaderElection {
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewed = 0;
  private observed: LeaseRecord | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops trying; the leader releases the lease (holder cleared) so another replica takes it at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.stepDown();
    const record = this.observed;
    if (!record || record.holderIdentity !== this.options.identity) return;
    await this.options.api
      .replace({ ...record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: Date.now() })
      .catch((error: unknown) =>
        this.options.logger?.warn({ err: error }, 'could not release the audit lease'),
      );
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), delayMs);
  }

  private async attempt(): Promise<void> {
    const duration = this.options.leaseDurationMs;
    let nextMs = this.leading ? duration / 3 : duration / 5;
    try {
      const acquired = await this.tryAcquireOrRenew();
      if (this.stopped) return;
      if (acquired) {
        this.lastRenewed = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.options.logger?.info({ identity: this.options.identity }, 'leading the audit');
          this.options.onStartedLeading();
        }
        nextMs = duration / 3;
      } else {
        if (this.leading) this.stepDown();
        nextMs = this.untilExpiry(nextMs);
      }
    } catch (error) {
      if (this.stopped) return;
      this.options.logger?.warn({ err: errorMessage(error) }, 'audit lease: the API server call failed');
      if (this.leading && Date.now() - this.lastRenewed >= (duration * 2) / 3) this.stepDown();
      nextMs = duration / 5;
    }
    this.schedule(nextMs);
  }

  /** A follower checks again when the holder's lease runs out, if that comes before its next turn. */
  private untilExpiry(defaultMs: number): number {
    const record = this.observed;
    if (!record?.holderIdentity) return defaultMs;
    const expiresIn = record.renewTime + record.leaseDurationSeconds * 1000 - Date.now();
    return Math.max(1, Math.min(defaultMs, expiresIn + 1));
  }

  private stepDown(): void {
    this.leading = false;
    this.options.logger?.info({ identity: this.options.identity }, 'no longer leading the audit');
    this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, identity } = this.options;
    const now = Date.now();
    const durationSeconds = Math.max(1, Math.round(this.options.leaseDurationMs / 1000));
    const current = await api.read();
    this.observed = current;
    if (!current) {
      const record: LeaseRecord = {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      };
      return this.stored(await api.create(record));
    }
    const mine = current.holderIdentity === identity;
    const expired = !current.holderIdentity || now >= current.renewTime + current.leaseDurationSeconds * 1000;
    if (!mine && !expired) return false;
    const record: LeaseRecord = {
      ...current,
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      ...(mine ? {} : { acquireTime: now, leaseTransitions: current.leaseTransitions + 1 }),
    };
    return this.stored(await api.replace(record));
  }

  private stored(result: LeaseRecord | 'conflict'): boolean {
    if (result === 'conflict') return false;
    this.observed = result;
    return true;
  }
}
