import { generateKeyPairSync } from 'node:crypto';
import { AttestationVerifier, type EvidenceSource, type MetadataSource } from '@signet/policy';
import { createRegistryClient } from '@signet/registry';
import { startLoopbackServer } from '@signet/registry/test-support';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { RegistryCosignReader } from '../metadata/registry-cosign-reader.js';
import { createMetrics, type WebhookMetrics } from '../monitoring/metrics.js';
import { NamespacePolicyResolver } from '../policies/namespace-policies.js';
import { staticPolicySource } from '../policies/policy-source.js';
import { metricValue } from '../test-support/metrics.js';
import type { AuditWriter, PodEvent, PodMarks, PodRef } from './audit-writer.js';
import {
  type AnnotateMode,
  BREAKGLASS_REASON,
  KRITIS_LABEL,
  PodAuditor,
  VIOLATION_ANNOTATION,
  VIOLATION_REASON,
} from './pod-auditor.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const GOOD = `registry.example/shop/web@${digest('a')}`;
const BAD = `registry.example/shop/legacy@${digest('b')}`;

/** Only the legacy image has a CRITICAL vulnerability. */
const metadata: MetadataSource = {
  description: 'test',
  attestations: async () => [],
  vulnerabilities: async (url) =>
    url.includes('legacy')
      ? [
          {
            noteName: 'projects/goog-vulnz/notes/CVE-2099-1',
            cveId: 'CVE-2099-1',
            severity: 'CRITICAL',
            fixAvailable: true,
          },
        ]
      : [],
};

const resolver = new NamespacePolicyResolver(
  staticPolicySource(
    ['shop', 'signet'].map((namespace) => ({
      source: `test/${namespace}`,
      namespace,
      document: {
        apiVersion: 'kritis.grafeas.io/v1beta1',
        kind: 'ImageSecurityPolicy',
        metadata: { name: 'no-critical', namespace },
        spec: { packageVulnerabilityRequirements: { maximumSeverity: 'HIGH' } },
      },
    })),
  ),
);

class MemoryWriter implements AuditWriter {
  readonly events: (PodRef & PodEvent)[] = [];
  readonly marks: (PodRef & PodMarks)[] = [];
  private readonly names = new Set<string>();
  async recordEvent(pod: PodRef, event: PodEvent) {
    const key = `${pod.uid}|${event.reason}|${event.message}`;
    if (this.names.has(key)) return 'exists' as const;
    this.names.add(key);
    this.events.push({ ...pod, ...event });
    return 'created' as const;
  }
  async markPod(pod: PodRef, marks: PodMarks) {
    this.marks.push({ ...pod, ...marks });
  }
}

function pod(name: string, image: string, namespace = 'shop', metadata: Record<string, unknown> = {}) {
  return {
    metadata: { name, namespace, uid: `uid-${name}`, ...metadata },
    spec: { containers: [{ name: 'app', image }] },
    status: { phase: 'Running' },
  };
}

let metrics: WebhookMetrics;
let writer: MemoryWriter;

function auditor(
  pods: unknown[],
  annotate: AnnotateMode = 'off',
  optedOut: string[] = [],
  source: MetadataSource = metadata,
) {
  return new PodAuditor({
    pods: () => pods,
    policies: resolver,
    metadata: source,
    verifier: new AttestationVerifier(),
    settings: { vulnerabilityProject: 'scans' },
    ownNamespace: 'signet',
    optedOut: async () => optedOut,
    annotate,
    writer,
    metrics: metrics.audit,
    logger: pino({ level: 'silent' }),
  });
}

async function scrape(): Promise<string> {
  return metrics.registry.metrics();
}

beforeEach(() => {
  metrics = createMetrics();
  writer = new MemoryWriter();
});

describe('PodAuditor', () => {
  it('records one Warning Event and the gauge per violating Pod, and writes nothing for the others', async () => {
    const pods = [pod('web', GOOD), pod('legacy-1', BAD), pod('legacy-2', BAD), pod('own', BAD, 'signet')];
    const report = await auditor(pods).run();
    expect(report).toMatchObject({ judged: 3, conforming: 1, skipped: 1 });
    expect(writer.events.map((e) => [e.name, e.reason])).toEqual([
      ['legacy-1', VIOLATION_REASON],
      ['legacy-2', VIOLATION_REASON],
    ]);
    expect(writer.events[0]?.message).toContain('CVE-2099-1');
    expect(writer.events[0]?.message).toContain('fix:');
    expect(writer.marks).toEqual([]);
    const text = await scrape();
    expect(
      metricValue(text, 'signet_running_violations', {
        namespace: 'shop',
        policy: 'ImageSecurityPolicy shop/no-critical',
        reason: 'VULNERABILITIES',
      }),
    ).toBe(2);
    expect(metricValue(text, 'signet_running_violations', { namespace: 'signet' })).toBe(0);
    expect(metricValue(text, 'signet_audit_pods', { status: 'conforming' })).toBe(1);
    expect(metricValue(text, 'signet_audit_runs_total', { result: 'ok' })).toBe(1);
  });

  it('judges the digest each container runs (status imageID), naming the spec image too', async () => {
    const tagged = 'registry.example/shop/legacy:v1';
    const running = (name: string, imageID: string) => ({
      ...pod(name, tagged),
      status: { phase: 'Running', containerStatuses: [{ name: 'app', imageID, state: { running: {} } }] },
    });
    const local = `sha256:${'c'.repeat(64)}`;
    const pods = [running('patched', GOOD), running('vulnerable', BAD), running('local', local)];
    await auditor(pods, 'signet').run();
    expect(writer.events.map((e) => [e.name, e.reason])).toEqual([
      ['vulnerable', VIOLATION_REASON],
      ['local', VIOLATION_REASON],
    ]);
    expect(writer.events[0]?.message).toContain(`image ${BAD}:`);
    expect(writer.events[0]?.message).toContain(`the Pod spec names ${tagged}`);
    expect(writer.events[1]?.message).toContain(`its imageID ${local} is an image ID`);
    expect(writer.marks.map((m) => m.annotations[VIOLATION_ANNOTATION])).toEqual([
      `VULNERABILITIES: ImageSecurityPolicy shop/no-critical (${BAD})`,
      `RUNNING_IMAGE_UNKNOWN: running image (Pod status) (${tagged}) and 1 more`,
    ]);
    expect(
      metricValue(await scrape(), 'signet_running_violations', {
        namespace: 'shop',
        policy: 'running image (Pod status)',
        reason: 'RUNNING_IMAGE_UNKNOWN',
      }),
    ).toBe(1);
  });

  it('the gauge follows the Pods: a fixed Pod leaves it', async () => {
    const pods = [pod('legacy-1', BAD)];
    const run = auditor(pods);
    await run.run();
    pods[0] = pod('legacy-1', GOOD);
    await run.run();
    expect(metricValue(await scrape(), 'signet_running_violations')).toBe(0);
  });

  it('with signet, annotates violating Pods; with kritis, labels them too; each only once', async () => {
    const pods = [pod('legacy-1', BAD), pod('web', GOOD)];
    await auditor(pods, 'signet').run();
    expect(writer.marks).toEqual([
      expect.objectContaining({
        name: 'legacy-1',
        annotations: { [VIOLATION_ANNOTATION]: expect.stringContaining('VULNERABILITIES') },
        labels: {},
      }),
    ]);
    writer = new MemoryWriter();
    await auditor(pods, 'kritis').run();
    expect(writer.marks[0]?.labels).toEqual({ [KRITIS_LABEL]: 'invalidImageSecPolicy' });

    const summary = writer.marks[0]?.annotations[VIOLATION_ANNOTATION] as string;
    writer = new MemoryWriter();
    const alreadyMarked = pod('legacy-1', BAD, 'shop', {
      annotations: { [VIOLATION_ANNOTATION]: summary },
      labels: { [KRITIS_LABEL]: 'invalidImageSecPolicy' },
    });
    await auditor([alreadyMarked], 'kritis').run();
    expect(writer.marks).toEqual([]);
    expect(writer.events).toHaveLength(1);
  });

  it('removes its marks from a Pod that conforms again', async () => {
    const fixed = pod('legacy-1', GOOD, 'shop', {
      annotations: { [VIOLATION_ANNOTATION]: 'VULNERABILITIES: …', other: 'kept' },
      labels: { [KRITIS_LABEL]: 'invalidImageSecPolicy' },
    });
    await auditor([fixed], 'kritis').run();
    expect(writer.marks).toEqual([
      expect.objectContaining({
        name: 'legacy-1',
        annotations: { [VIOLATION_ANNOTATION]: null },
        labels: { [KRITIS_LABEL]: null },
      }),
    ]);
    expect(writer.events).toEqual([]);
  });

  it('reports a breakglass Pod that still violates once, outside the gauge', async () => {
    const glass = pod('hotfix', BAD, 'shop', { annotations: { 'kritis.grafeas.io/breakglass': 'true' } });
    const run = auditor([glass], 'signet');
    await run.run();
    await run.run();
    expect(writer.events.map((e) => e.reason)).toEqual([BREAKGLASS_REASON]);
    expect(writer.events[0]?.message).toMatch(/^admitted by breakglass, still violating: /);
    expect(writer.marks).toEqual([]);
    expect(metricValue(await scrape(), 'signet_running_violations')).toBe(0);
    expect(metricValue(await scrape(), 'signet_audit_pods', { status: 'breakglass' })).toBe(1);
  });

  it('skips namespaces that opted out of admission', async () => {
    const report = await auditor([pod('legacy-1', BAD)], 'off', ['shop']).run();
    expect(report).toMatchObject({ judged: 0, skipped: 1 });
    expect(writer.events).toEqual([]);
  });

  it('writes nothing about Pods it could not judge because the backend failed, and counts them', async () => {
    const failing: MetadataSource = {
      attestations: async () => [],
      vulnerabilities: async () => {
        throw new Error('connection refused');
      },
    };
    const marked = pod('legacy-1', BAD, 'shop', { annotations: { [VIOLATION_ANNOTATION]: 'earlier' } });
    const report = await auditor([marked, pod('web', GOOD)], 'kritis', [], failing).run();
    expect(report.findings.map((f) => f.status)).toEqual(['unknown', 'unknown']);
    expect(writer.events).toEqual([]);
    expect(writer.marks).toEqual([]);
    const text = await scrape();
    expect(metricValue(text, 'signet_audit_pods', { status: 'unknown' })).toBe(2);
    expect(metricValue(text, 'signet_running_violations')).toBe(0);
  });

  it('never runs twice at once', async () => {
    const run = auditor([pod('legacy-1', BAD)]);
    const [first, second] = [run.run(), run.run()];
    expect(first).toBe(second);
    await first;
    expect(writer.events).toHaveLength(1);
  });

  it('a failing write is logged and does not stop the run', async () => {
    writer.recordEvent = async () => {
      throw new Error('forbidden');
    };
    const report = await auditor([pod('legacy-1', BAD), pod('legacy-2', BAD)]).run();
    expect(report.findings).toHaveLength(2);
    expect(metricValue(await scrape(), 'signet_audit_runs_total', { result: 'ok' })).toBe(1);
  });
});

describe('PodAuditor and cosign authorities', () => {
  it("judges them through admission's registry reader: once per image and repository, naming the tag", async () => {
    const server = await startLoopbackServer((req, res) => {
      if (req.url?.includes('/referrers/')) return void res.writeHead(404).end('404 page not found\n');
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    });
    try {
      const host = `127.0.0.1:${server.port}`;
      const registry = createRegistryClient({ insecureRegistries: [host] });
      const cosign = new RegistryCosignReader({ registry, metrics });
      const source: EvidenceSource = { ...metadata, cosignArtifacts: cosign.cosignArtifacts };
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const publicKeyData = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })).toString('base64');
      const documents = [
        { kind: 'AttestationAuthority', metadata: { name: 'build' }, spec: { cosign: { publicKeyData } } },
        {
          kind: 'GenericAttestationPolicy',
          metadata: { name: 'signed' },
          spec: { attestationAuthorityNames: ['build'] },
        },
      ].map((document) => ({
        source: 'test/built',
        namespace: 'built',
        document: {
          apiVersion: 'kritis.grafeas.io/v1beta1',
          ...document,
          metadata: { ...document.metadata, namespace: 'built' },
        },
      }));
      const image = `${host}/shop/web@${digest('c')}`;
      const report = await new PodAuditor({
        pods: () => [pod('web-1', image, 'built'), pod('web-2', image, 'built')],
        policies: new NamespacePolicyResolver(staticPolicySource(documents)),
        metadata: source,
        verifier: new AttestationVerifier(),
        settings: {},
        ownNamespace: 'signet',
        optedOut: async () => [],
        annotate: 'off',
        writer,
        metrics: metrics.audit,
        logger: pino({ level: 'silent' }),
      }).run();
      expect(report).toMatchObject({ judged: 2, conforming: 0 });
      expect(writer.events.map((e) => e.name)).toEqual(['web-1', 'web-2']);
      expect(writer.events[0]?.message).toContain(
        `tag sha256-${'c'.repeat(64)}.sig of repository ${host}/shop/web does not exist`,
      );
      expect(metricValue(await scrape(), 'signet_cosign_reads_total', { result: 'fetched' })).toBe(1);
      expect(server.seen.filter((r) => r.path.endsWith('.sig'))).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
