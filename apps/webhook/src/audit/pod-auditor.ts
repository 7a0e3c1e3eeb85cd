import { errorMessage } from '@signet/errors';
import {
  type AttestationVerifier,
  type AuditReport,
  auditPods,
  type ClusterSettings,
  type EvidenceSource,
  findingSummary,
  type PodFinding,
  type PodObject,
} from '@signet/policy';
import type { Logger } from 'pino';
import type { AuditMetrics } from '../monitoring/metrics.js';
import type { NamespacePolicyResolver } from '../policies/namespace-policies.js';
import type { AuditWriter, PodMarks, PodRef } from './audit-writer.js';

export type AnnotateMode = 'off' | 'signet' | 'kritis';

export const VIOLATION_REASON = 'SignetPolicyViolation';
export const BREAKGLASS_REASON = 'SignetBreakglassViolation';
export const VIOLATION_ANNOTATION = 'signet.dev/violation';
/** The label Kritis's cron put on violating Pods, and its value. */
export const KRITIS_LABEL = 'kritis.grafeas.io/invalidImageSecPolicy';
const KRITIS_LABEL_VALUE = 'invalidImageSecPolicy';

export interface PodAuditorOptions {
  /** The Pods to audit (the informer's cache). */
  pods(): Iterable<PodObject>;
  policies: NamespacePolicyResolver;
  /** Admission's cached, single-flight metadata source, with its registry reader for cosign authorities. */
  metadata: EvidenceSource;
  verifier: AttestationVerifier;
  settings: Partial<ClusterSettings>;
  /** The webhook's own namespace: never audited (as admission never reviews it). */
  ownNamespace: string;
  /** Namespaces that opted out of admission (label kritis-validation=disabled), read at each run. */
  optedOut?: () => Promise<readonly string[]>;
  annotate: AnnotateMode;
  writer: AuditWriter;
  metrics: AuditMetrics;
  logger: Logger;
}

/**
 * One audit run: every Pod judged as admission would judge it now, then, per violating Pod, an
 * Event, the gauge, a log line and (when asked) its marks. Breakglass Pods that still violate are
 * reported once per Pod. Runs never overlap.
 */
export class PodAuditor {
  private running: Promise<AuditReport> | undefined;
  private readonly breakglassReported = new Set<string>();

  constructor(private readonly options: PodAuditorOptions) {}

  run(): Promise<AuditReport> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Forgets the exported findings (this replica no longer leads the audit). */
  clearMetrics(): void {
    this.options.metrics.runningViolations.reset();
    this.options.metrics.pods.reset();
  }

  private async runOnce(): Promise<AuditReport> {
    const { options } = this;
    const started = performance.now();
    const pods = [...options.pods()];
    try {
      const optedOut = (await options.optedOut?.()) ?? [];
      const report = await auditPods({
        pods,
        policiesFor: (namespace) => options.policies.forNamespace(namespace),
        metadata: options.metadata,
        verifier: options.verifier,
        settings: options.settings,
        skipNamespaces: [options.ownNamespace, ...optedOut],
      });
      this.export(report);
      await this.write(report, pods);
      const seconds = (performance.now() - started) / 1000;
      options.metrics.runs.inc({ result: 'ok' });
      options.metrics.lastSuccess.set(Date.now() / 1000);
      options.metrics.durationSeconds.set(seconds);
      options.logger.info(
        {
          judged: report.judged,
          conforming: report.conforming,
          skipped: report.skipped,
          findings: report.findings.length,
          lookups: report.lookups,
          durationMs: Math.round(seconds * 1000),
        },
        'audit run finished',
      );
      return report;
    } catch (error) {
      options.metrics.runs.inc({ result: 'failed' });
      options.logger.error({ err: error }, 'audit run failed');
      throw error;
    }
  }

  private export(report: AuditReport): void {
    const { runningViolations, pods } = this.options.metrics;
    runningViolations.reset();
    pods.reset();
    const count = (status: string) => report.findings.filter((f) => f.status === status).length;
    pods.set({ status: 'conforming' }, report.conforming);
    pods.set({ status: 'skipped' }, report.skipped);
    for (const status of ['violating', 'breakglass', 'unknown']) pods.set({ status }, count(status));
    for (const finding of report.findings) {
      if (finding.status !== 'violating') continue;
      const seen = new Set<string>();
      for (const violation of finding.violations) {
        const key = `${violation.policy}\n${violation.code}`;
        if (seen.has(key)) continue;
        seen.add(key);
        runningViolations.inc({
          namespace: finding.namespace,
          policy: violation.policy,
          reason: violation.code,
        });
      }
    }
  }

  private async write(report: AuditReport, pods: readonly PodObject[]): Promise<void> {
    const unknown: PodFinding[] = [];
    for (const finding of report.findings) {
      if (finding.status === 'violating') {
        await this.reportViolation(finding);
      } else if (finding.status === 'breakglass') {
        await this.reportBreakglass(finding);
      } else {
        unknown.push(finding);
      }
    }
    if (unknown.length > 0) {
      // One line, not one per Pod: a backend outage would otherwise flood the log.
      this.options.logger.warn(
        {
          pods: unknown.length,
          example: `${unknown[0]?.namespace}/${unknown[0]?.name}`,
          message: unknown[0]?.message,
        },
        'audit could not judge running pods: the metadata backend failed',
      );
    }
    // Only Pods proven to conform lose their marks: not those the backend could not judge.
    const notConforming = new Set(report.findings.map((f) => f.uid));
    if (this.options.annotate !== 'off') await this.unmarkConforming(pods, notConforming);
  }

  private async reportViolation(finding: PodFinding): Promise<void> {
    const { logger, writer, annotate } = this.options;
    const pod = refOf(finding);
    logger.warn(
      {
        namespace: finding.namespace,
        pod: finding.name,
        images: finding.images,
        violations: finding.violations.map((v) => ({ policy: v.policy, code: v.code, image: v.image })),
        message: finding.message,
      },
      'running pod violates policy',
    );
    await this.attempt('record an Event', pod, () =>
      writer.recordEvent(pod, { reason: VIOLATION_REASON, message: finding.message }),
    );
    if (annotate === 'off') return;
    const summary = findingSummary(finding);
    const metadata = metadataOf(finding.pod);
    const wanted = annotate === 'kritis' ? KRITIS_LABEL_VALUE : undefined;
    if (metadata.annotations[VIOLATION_ANNOTATION] === summary && metadata.labels[KRITIS_LABEL] === wanted)
      return;
    await this.attempt('mark the pod', pod, () =>
      writer.markPod(pod, {
        annotations: { [VIOLATION_ANNOTATION]: summary },
        labels: annotate === 'kritis' ? { [KRITIS_LABEL]: KRITIS_LABEL_VALUE } : {},
      }),
    );
  }

  private async reportBreakglass(finding: PodFinding): Promise<void> {
    if (this.breakglassReported.has(finding.uid)) return;
    this.breakglassReported.add(finding.uid);
    const pod = refOf(finding);
    const message = `admitted by breakglass, still violating: ${finding.message}`;
    this.options.logger.warn(
      { namespace: finding.namespace, pod: finding.name, message },
      'admitted by breakglass, still violating',
    );
    await this.attempt('record an Event', pod, () =>
      this.options.writer.recordEvent(pod, { reason: BREAKGLASS_REASON, message }),
    );
  }

  /** Pods that conform now but still carry the marks of an earlier run get them removed. */
  private async unmarkConforming(pods: readonly PodObject[], notConforming: Set<string>): Promise<void> {
    for (const object of pods) {
      const metadata = metadataOf(object);
      if (notConforming.has(metadata.uid)) continue;
      if (!(VIOLATION_ANNOTATION in metadata.annotations) && !(KRITIS_LABEL in metadata.labels)) continue;
      const marks: PodMarks = {
        annotations: { [VIOLATION_ANNOTATION]: null },
        labels: KRITIS_LABEL in metadata.labels ? { [KRITIS_LABEL]: null } : {},
      };
      const pod = { namespace: metadata.namespace, name: metadata.name, uid: metadata.uid };
      await this.attempt('unmark the pod', pod, () => this.options.writer.markPod(pod, marks));
    }
  }

  private async attempt(what: string, pod: PodRef, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.options.logger.warn(
        { namespace: pod.namespace, pod: pod.name, err: errorMessage(error) },
        `audit could not ${what}`,
      );
    }
  }
}

function refOf(finding: PodFinding): PodRef {
  return { namespace: finding.namespace, name: finding.name, uid: finding.uid };
}

interface PodMetadata {
  namespace: string;
  name: string;
  uid: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

function metadataOf(pod: PodObject): PodMetadata {
  const metadata = (pod as { metadata?: Partial<PodMetadata> } | undefined)?.metadata ?? {};
  return {
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    uid: metadata.uid ?? '',
    annotations: metadata.annotations ?? {},
    labels: metadata.labels ?? {},
  };
}
