import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaderElection, type LeaseApi, type LeaseRecord } from './lease-election.js';

/** One Lease with optimistic concurrency, as the API server keeps it. */
class MemoryLease implements LeaseApi {
  record: LeaseRecord | undefined;
  private version = 0;
  failing = false;

  async read() {
    if (this.failing) throw new Error('apiserver down');
    return this.record && { ...this.record };
  }
  async create(record: LeaseRecord) {
    if (this.failing) throw new Error('apiserver down');
    if (this.record) return 'conflict' as const;
    return this.store(record);
  }
  async replace(record: LeaseRecord) {
    if (this.failing) throw new Error('apiserver down');
    if (!this.record || record.resourceVersion !== this.record.resourceVersion) return 'conflict' as const;
    return this.store(record);
  }
  private store(record: LeaseRecord) {
    this.version += 1;
    this.record = { ...record, resourceVersion: String(this.version) };
    return { ...this.record };
  }
}

const LEASE_MS = 15_000;

function replica(api: LeaseApi, identity: string) {
  const events: string[] = [];
  const election = new LeaderElection({
    api,
    identity,
    leaseDurationMs: LEASE_MS,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { election, events };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LeaderElection', () => {
  it('elects exactly one of two replicas, and keeps it while it renews', async () => {
    const lease = new MemoryLease();
    const a = replica(lease, 'a');
    const b = replica(lease, 'b');
    a.election.start();
    b.election.start();
    await vi.advanceTimersByTimeAsync(10);
    expect([a.election.isLeader, b.election.isLeader].filter(Boolean)).toHaveLength(1);
    const leader = a.election.isLeader ? a : b;
    await vi.advanceTimersByTimeAsync(LEASE_MS * 5);
    expect(leader.election.isLeader).toBe(true);
    expect(a.election.isLeader && b.election.isLeader).toBe(false);
    expect(leader.events).toEqual(['started']);
    expect(lease.record?.leaseTransitions).toBe(0);
    await a.election.stop();
    await b.election.stop();
  });

  it('hands over within the lease duration when the leader dies without releasing', async () => {
    const lease = new MemoryLease();
    const a = replica(lease, 'a');
    a.election.start();
    await vi.advanceTimersByTimeAsync(10);
    const b = replica(lease, 'b');
    b.election.start();
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(b.election.isLeader).toBe(false);

    // "kill -9": a stops renewing and never releases.
    vi.spyOn(lease, 'replace').mockImplementation(async function (this: MemoryLease, record) {
      if (record.holderIdentity === 'a') return 'conflict';
      return MemoryLease.prototype.replace.call(this, record);
    });
    const killedAt = Date.now();
    const lastRenewal = lease.record?.renewTime ?? 0;
    await vi.advanceTimersByTimeAsync(lastRenewal + LEASE_MS - 1 - Date.now());
    expect(b.election.isLeader).toBe(false);
    // Once the last renewal is a lease duration old, and so at most a lease duration after the kill.
    await vi.advanceTimersByTimeAsync(killedAt + LEASE_MS + 2 - Date.now());
    expect(b.election.isLeader).toBe(true);
    expect(lease.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(lease.record?.acquireTime).toBeGreaterThanOrEqual(lastRenewal + LEASE_MS);
    await b.election.stop();
    a.election.stop();
  });

  it('hands over at the next try when the leader stops and releases the lease', async () => {
    const lease = new MemoryLease();
    const a = replica(lease, 'a');
    a.election.start();
    await vi.advanceTimersByTimeAsync(10);
    const b = replica(lease, 'b');
    b.election.start();
    await vi.advanceTimersByTimeAsync(100);
    await a.election.stop();
    expect(a.events).toEqual(['started', 'stopped']);
    expect(lease.record?.holderIdentity).toBe('');
    await vi.advanceTimersByTimeAsync(LEASE_MS / 5 + 1);
    expect(b.election.isLeader).toBe(true);
    await b.election.stop();
  });

  it('stops leading when it cannot renew for two thirds of the lease, before anyone may take over', async () => {
    const lease = new MemoryLease();
    const a = replica(lease, 'a');
    a.election.start();
    await vi.advanceTimersByTimeAsync(10);
    lease.failing = true;
    await vi.advanceTimersByTimeAsync(LEASE_MS / 2);
    expect(a.election.isLeader).toBe(true);
    await vi.advanceTimersByTimeAsync(LEASE_MS / 2);
    expect(a.election.isLeader).toBe(false);
    expect(a.events).toEqual(['started', 'stopped']);
    lease.failing = false;
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(a.election.isLeader).toBe(true);
    await a.election.stop();
  });

  it('a follower never takes a lease that is being renewed, however long it waits', async () => {
    const lease = new MemoryLease();
    const a = replica(lease, 'a');
    const b = replica(lease, 'b');
    a.election.start();
    await vi.advanceTimersByTimeAsync(10);
    b.election.start();
    for (let i = 0; i < 20; i += 1) {
      await vi.advanceTimersByTimeAsync(LEASE_MS / 2);
      expect(b.election.isLeader).toBe(false);
    }
    expect(b.events).toEqual([]);
    await a.election.stop();
    await b.election.stop();
  });
});
