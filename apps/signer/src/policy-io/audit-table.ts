import {
  type AuditReport,
  controllerOf,
  INTERMEDIATE_OWNERS,
  type PodFinding,
  type Violation,
  type WorkloadOwner,
  workloadOwner,
} from '@signet/policy';

/** The findings of one workload (all its Pods that do not conform, in the same way). */
export interface AuditedWorkload {
  namespace: string;
  owner: WorkloadOwner;
  status: PodFinding['status'];
  pods: string[];
  /** Distinct violations over its Pods. */
  violations: Violation[];
}

type ParentLookup = (namespace: string, owner: WorkloadOwner) => Promise<WorkloadOwner | undefined>;

/** Pods grouped by the workload that owns them (ReplicaSet → Deployment, Job → CronJob resolved). */
export async function groupByWorkload(
  findings: readonly PodFinding[],
  parentOf: ParentLookup,
): Promise<AuditedWorkload[]> {
  const groups = new Map<string, AuditedWorkload>();
  for (const finding of findings) {
    const direct = controllerOf(finding.pod);
    const parent =
      direct && INTERMEDIATE_OWNERS.includes(direct.kind)
        ? await parentOf(finding.namespace, direct)
        : undefined;
    const owner = workloadOwner(finding.pod, () => parent);
    const key = `${finding.namespace}\n${owner.kind}\n${owner.name}\n${finding.status}`;
    let group = groups.get(key);
    if (!group) {
      group = { namespace: finding.namespace, owner, status: finding.status, pods: [], violations: [] };
      groups.set(key, group);
    }
    group.pods.push(finding.name);
    for (const violation of finding.violations) {
      if (!group.violations.some((v) => sameViolation(v, violation))) group.violations.push(violation);
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      a.owner.kind.localeCompare(b.owner.kind) ||
      a.owner.name.localeCompare(b.owner.name),
  );
}

function sameViolation(a: Violation, b: Violation): boolean {
  return a.image === b.image && a.policy === b.policy && a.code === b.code && a.reason === b.reason;
}

const STATUS_TEXT: Record<PodFinding['status'], string> = {
  violating: 'VIOLATES',
  breakglass: 'BREAKGLASS',
  unknown: 'UNKNOWN',
};

/** The table `signet audit` prints: one block per workload, each violation with its fix. */
export function describeAudit(report: AuditReport, workloads: readonly AuditedWorkload[]): string {
  const lines: string[] = [];
  const rows = workloads.map((w) => [
    w.namespace,
    `${w.owner.kind}/${w.owner.name}`,
    String(w.pods.length),
    STATUS_TEXT[w.status],
  ]);
  const header = ['NAMESPACE', 'WORKLOAD', 'PODS', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  if (workloads.length > 0) lines.push(row(header));
  workloads.forEach((workload, index) => {
    lines.push(row(rows[index] as string[]));
    if (workload.status === 'breakglass') lines.push('  admitted by breakglass, still violating');
    if (workload.status === 'unknown') lines.push('  the metadata store failed: nothing could be proven');
    for (const v of workload.violations) {
      lines.push(`  - ${v.image === '*' ? 'every image' : v.image}: ${v.policy}: ${v.reason}`);
      lines.push(`    fix: ${v.fix}`);
    }
  });
  const violating = report.findings.filter((f) => f.status !== 'unknown').length;
  const unknown = report.findings.length - violating;
  lines.push(
    `${report.judged} running pod${report.judged === 1 ? '' : 's'} judged: ${report.conforming} conform, ` +
      `${violating} violate${unknown > 0 ? `, ${unknown} could not be judged` : ''} ` +
      `(${report.skipped} skipped: finished, kube-system or the webhook's namespace)`,
  );
  return lines.join('\n');
}
