/**
 * `pnpm bench` (part 2): one audit run over 5,000 running Pods that use 1,000 distinct digests, in the
 * webhook's process, through admission's own caches and single-flight, against the guide's emulator
 * over HTTP. Reports the run's wall time and backend calls per distinct digest (goal: exactly 1.00),
 * then admission's p99 under load without an audit and while a cold audit runs (goal: ratio ~1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@signet/grafeas-emulator';
import { GUIDE, generateSelfSignedCert, podReview, prepareGuide, signImage } from '@signet/guide-world';
import { AttestationVerifier, type PodObject } from '@signet/policy';
import autocannon, { type Result } from 'autocannon';
import pino from 'pino';
import type { AuditWriter } from '../src/audit/audit-writer.js';
import { PodAuditor } from '../src/audit/pod-auditor.js';
import { CachedMetadataSource } from '../src/metadata/cached-metadata-source.js';
import { createMetrics } from '../src/monitoring/metrics.js';
import { NamespacePolicyResolver } from '../src/policies/namespace-policies.js';
import { startWebhook } from '../src/start-webhook.js';
import { guideWebhookConfig } from '../src/test-support/e2e-world.js';
import { metricValue } from '../src/test-support/metrics.js';

const PODS = Number(process.env.BENCH_AUDIT_PODS ?? 5_000);
const DIGESTS = Number(process.env.BENCH_AUDIT_DIGESTS ?? 1_000);
const LOAD_S = Number(process.env.BENCH_DURATION ?? 10);

function image(i: number): string {
  return `registry.example/audit/app-${i % 50}@sha256:${String(i).padStart(64, '0')}`;
}

function pods(): PodObject[] {
  return Array.from({ length: PODS }, (_, i) => ({
    metadata: { name: `pod-${i}`, namespace: GUIDE.namespace, uid: `uid-${i}` },
    spec: { containers: [{ name: 'app', image: image(i % DIGESTS) }] },
    status: { phase: 'Running' },
  }));
}

/** Counts what a real writer would send: the bench measures the judging, not the API server. */
function countingWriter(): AuditWriter & { events: number } {
  const writer = {
    events: 0,
    async recordEvent() {
      writer.events += 1;
      return 'created' as const;
    },
    async markPod() {},
  };
  return writer;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'signet-audit-bench-'));
  const guide = await prepareGuide(work, startEmulator);
  const cert = await generateSelfSignedCert(work);
  // Four in five digests signed; the rest violate (NOT_ATTESTED).
  for (let i = 0; i < DIGESTS; i += 1) {
    if (i % 5 !== 0) await signImage(guide.store, image(i), guide.privateKey, guide.fingerprint);
  }
  const metrics = createMetrics();
  const webhook = await startWebhook({
    ...guideWebhookConfig(guide, cert, pino({ level: 'silent' })),
    insecureHttp: true,
    tls: undefined,
    // "Nothing found" stays cached as long as the rest: the second run then shows the audit's own cost.
    cache: { emptyTtlMs: 300_000 },
    metrics,
  });
  const metadata = webhook.metadata;
  if (!(metadata instanceof CachedMetadataSource))
    throw new Error(
      'the audit bench measures per-lookup caching: its store must filter (the guide store does)',
    );
  const writer = countingWriter();
  const auditor = new PodAuditor({
    pods,
    policies: new NamespacePolicyResolver(webhook.policies),
    metadata: webhook.metadata,
    verifier: new AttestationVerifier(),
    settings: { vulnerabilityProject: GUIDE.project },
    ownNamespace: 'signet',
    annotate: 'off',
    writer,
    metrics: metrics.audit,
    logger: pino({ level: 'silent' }),
  });
  const review = JSON.stringify(podReview({ name: 'web', images: [GUIDE.images.signed] }));
  const load = (durationS: number) => {
    let stop = () => {};
    const result = new Promise<Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${webhook.url}/validate?timeout=10s`,
          method: 'POST',
          body: review,
          headers: { 'content-type': 'application/json' },
          connections: 16,
          duration: durationS,
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
      stop = () => instance.stop();
    });
    return { stop: () => stop(), result };
  };
  const backendCalls = async (backend: string) =>
    metricValue(await metrics.registry.metrics(), 'signet_metadata_backend_calls_total', { backend });

  const calls = async () => ({
    attestations: await backendCalls('attestations'),
    vulnerabilities: await backendCalls('vulnerabilities'),
  });
  /** One audit run from the cache as it is: wall time and the backend calls it caused. */
  const measuredRun = async () => {
    const before = await calls();
    const started = performance.now();
    const report = await auditor.run();
    const ms = performance.now() - started;
    const after = await calls();
    return {
      ms,
      report,
      attestations: after.attestations - before.attestations,
      vulnerabilities: after.vulnerabilities - before.vulnerabilities,
    };
  };
  const perDigest = (n: number) => `${n} (${(n / DIGESTS).toFixed(2)} per distinct digest)`;

  try {
    console.log(
      `\nAudit: ${PODS} running Pods, ${DIGESTS} distinct digests (guide policies, emulator over HTTP)`,
    );
    metadata.clear();
    const cold = await measuredRun();
    console.log(
      `  cold run (empty cache):   ${cold.ms.toFixed(0)} ms (${((cold.ms * 1000) / PODS).toFixed(0)} µs/pod)`,
    );
    console.log(
      `  backend calls:            attestations ${perDigest(cold.attestations)}, vulnerabilities ${perDigest(cold.vulnerabilities)}; goal 1.00`,
    );
    console.log(
      `  findings:                 ${cold.report.findings.length} violating of ${cold.report.judged} judged, ${writer.events} Events`,
    );
    const warm = await measuredRun();
    console.log(
      `  next run (cache as left): ${warm.ms.toFixed(0)} ms (${(cold.ms / warm.ms).toFixed(1)}x faster than cold); ` +
        `backend calls ${warm.attestations + warm.vulnerabilities} (everything cached: the judging alone)`,
    );

    await load(3).result; // warm-up: JIT, the review's own lookups
    const baseline = await load(LOAD_S).result;
    metadata.clear();
    const during = load(600);
    const loaded = await measuredRun();
    during.stop();
    const underAudit = await during.result;
    console.log(
      '\nAdmission under load (16 connections, one signed review), without and during a cold audit run:',
    );
    console.log(`  p99 without audit: ${baseline.latency.p99} ms (${baseline.requests.average} req/s)`);
    console.log(
      `  p99 during audit:  ${underAudit.latency.p99} ms (${underAudit.requests.average} req/s, ${underAudit.requests.total} reviews, ` +
        `audit ${loaded.ms.toFixed(0)} ms)`,
    );
    console.log(
      `  ratio p99 during/without: ${(underAudit.latency.p99 / Math.max(baseline.latency.p99, 1)).toFixed(2)}x; ` +
        `errors ${underAudit.errors + underAudit.non2xx + underAudit.timeouts}`,
    );
  } finally {
    await webhook.stop();
    await guide.close();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
