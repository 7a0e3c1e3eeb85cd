import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { AttestationVerifier } from '@signet/policy';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { PodCache } from '../audit/kube-pod-cache.js';
import type { LeaseApi, LeaseRecord } from '../audit/lease-election.js';
import { type RunningAudit, startAudit } from '../audit/start-audit.js';
import { createMetrics } from '../monitoring/metrics.js';
import { NamespacePolicyResolver } from '../policies/namespace-policies.js';
import { staticPolicySource } from '../policies/policy-source.js';
import { GatedReader } from '../test-support/gated-reader.js';
import { OccurrenceIndex } from './occurrence-index.js';
import { trackRunningPodProjects } from './running-pod-projects.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A pino logger whose lines are kept as objects. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('trackRunningPodProjects', () => {
  it('tracks the GCR and Artifact Registry projects of images, once each, and ignores the rest', () => {
    const tracked: string[][] = [];
    const { logger, lines } = capturingLogger();
    const onImages = trackRunningPodProjects({ track: (s) => tracked.push([...(s.projects ?? [])]) }, logger);
    onImages([
      `gcr.io/shop/web@${DIGEST}`,
      'eu.gcr.io/batch/job:1',
      `europe-docker.pkg.dev/ar-proj/repo/app@${DIGEST}`,
      'gcr.io/example.com/scoped/app:2',
      'registry.example/shop/web:1',
      'nginx:1.27',
    ]);
    onImages(['gcr.io/shop/other:1', 'us-docker.pkg.dev/later/repo/app:1']);
    onImages(['gcr.io/shop/web:2']);
    expect(tracked).toEqual([['shop', 'batch', 'ar-proj', 'example.com:scoped'], ['later']]);
    const logged = lines.filter((line) => String(line.msg).includes('projects of running Pods'));
    expect(logged.map((line) => line.projects)).toEqual([
      ['shop', 'batch', 'ar-proj', 'example.com:scoped'],
      ['later'],
    ]);
  });

  it('names at most 20 projects in its log line, and counts them all', () => {
    const { logger, lines } = capturingLogger();
    const onImages = trackRunningPodProjects({ track: () => {} }, logger);
    onImages(Array.from({ length: 25 }, (_, n) => `gcr.io/p${n}/app:1`));
    expect(lines.at(-1)).toMatchObject({ count: 25 });
    expect(lines.at(-1)?.projects).toHaveLength(20);
  });
});

/** The Pods the informer has listed, under the test's control. */
class FakePodCache implements PodCache {
  listed: V1Pod[] = [];
  synced = false;
  pods() {
    return this.listed;
  }
  async start() {
    this.synced = true;
  }
  async stop() {
    this.synced = false;
  }
}

function memoryLease(): LeaseApi {
  let held: LeaseRecord | undefined;
  return {
    read: async () => held,
    create: async (record) => (held = record),
    replace: async (record) => (held = record),
  };
}

const nowhere: AuditWriter = {
  recordEvent: async () => 'created',
  markPod: async () => {},
};

function runningPod(name: string, image: string): V1Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: { containers: [{ name: 'app', image }] },
    status: { phase: 'Running' },
  };
}

describe('the audit tells the index the projects of running Pods', () => {
  let store: MetadataStore;
  let reader: GatedReader;
  let index: OccurrenceIndex;
  let audit: RunningAudit | undefined;
  const podCache = new FakePodCache();

  beforeEach(async () => {
    store = await openMetadataStore('sqlite::memory:');
    reader = new GatedReader(store);
    index = new OccurrenceIndex({ store: reader });
    index.start();
    podCache.listed = [runningPod('web', `gcr.io/running-shop/web@${DIGEST}`)];
  });
  afterEach(async () => {
    await audit?.stop();
    audit = undefined;
    index.close();
    await store.close();
  });

  function startTheAudit() {
    const logger = pino({ level: 'silent' });
    return startAudit(
      new KubeConfig(),
      { intervalMs: 3_600_000, annotate: 'off', namespace: 'signet', identity: 'replica-1' },
      {
        policies: new NamespacePolicyResolver(staticPolicySource([])),
        metadata: index,
        verifier: new AttestationVerifier(),
        settings: {},
        metrics: createMetrics().audit,
        logger,
        onRunningImages: trackRunningPodProjects(index, logger),
      },
      { lease: memoryLease(), writer: nowhere, podCache, optedOut: async () => [] },
    );
  }

  it('warms the project of a listed Pod in the background, without making the webhook unready', async () => {
    const read = reader.hold('project running-shop');
    audit = startTheAudit();
    await read.reached;
    const readiness = index.readiness();
    expect(readiness.ready).toBe(true);
    expect(readiness.warming).toEqual(['project running-shop: first read in progress']);
    read.release();
  });

  it('tracks the project of a Pod that appears after the first list at the next run', async () => {
    const first = reader.hold('project running-shop');
    audit = startTheAudit();
    await first.reached;
    first.release();
    const later = reader.hold('project new-team');
    podCache.listed.push(runningPod('api', 'us-docker.pkg.dev/new-team/repo/api:1'));
    expect(await audit.runNow()).toBe(true);
    await later.reached;
    expect(index.readiness().warming).toContain('project new-team: first read in progress');
    later.release();
  });
});
