import {
  AttestationVerifier,
  type AuditReport,
  auditPods,
  collectNamespacePolicies,
  type NamespacePolicies,
} from '@signet/policy';
import type { CommandAction, CommandContext } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type RegistryOptions, registryOnDemand } from '../common/registry.js';
import { withStore } from '../common/store.js';
import { ClusterReader, type PolicyEntry } from '../kube/cluster-reader.js';
import { type AuditedWorkload, describeAudit, groupByWorkload } from '../policy-io/audit-table.js';
import {
  type CosignReadTimeout,
  RegistryCosignSource,
  SignerEvidenceSource,
} from '../policy-io/registry-cosign-source.js';
import { readSettings } from '../policy-io/settings-file.js';

interface AuditOptions extends RegistryOptions, CosignReadTimeout {
  kubeconfig?: string;
  namespace?: string;
  webhookNamespace: string;
  vulnzProject?: string;
  settings?: string;
}

/**
 * The webhook's audit, once, from a laptop: every running Pod judged against the cluster's policies,
 * the store's metadata and the registry's cosign evidence. Exit 1 when anything violates, 3 when the
 * store or a registry failed for some Pod.
 */
export const run: CommandAction<AuditOptions> = async (options, context) => {
  const settings = await readSettings(options.settings, options.vulnzProject);
  const cluster = new ClusterReader(options.kubeconfig);
  const [entries, pods, optedOut] = await Promise.all([
    cluster.policies(options.namespace),
    cluster.pods(options.namespace),
    cluster.optedOutNamespaces(),
  ]);
  for (const notice of cluster.notices) context.progress(`note: ${notice}`);
  const cosign = new RegistryCosignSource(registryOnDemand(options, context), options);
  const report = await withStore(context.global, (store) =>
    auditPods({
      pods,
      policiesFor: policiesByNamespace(entries),
      metadata: new SignerEvidenceSource(store, cosign),
      verifier: new AttestationVerifier(),
      settings,
      skipNamespaces: [options.webhookNamespace, ...optedOut],
      onProgress: progressReporter(context),
    }),
  );
  const workloads = await groupByWorkload(report.findings, (namespace, owner) =>
    cluster.parentOf(namespace, owner),
  );
  return {
    exitCode: exitCodeOf(report),
    text: describeAudit(report, workloads),
    json: auditJson(report, workloads),
  };
};

function policiesByNamespace(entries: PolicyEntry[]): (namespace: string) => NamespacePolicies {
  const memo = new Map<string, NamespacePolicies>();
  return (namespace) => {
    let policies = memo.get(namespace);
    if (!policies) {
      policies = collectNamespacePolicies(entries, namespace);
      memo.set(namespace, policies);
    }
    return policies;
  };
}

/** Backend failures first (the verdict is incomplete), then violations. */
function exitCodeOf(report: AuditReport) {
  if (report.findings.some((f) => f.status === 'unknown')) return ExitCode.backend;
  return report.findings.length > 0 ? ExitCode.verdictNo : ExitCode.ok;
}

/** On a terminal, one progress line every tenth of the way; nothing when stderr is a file or a pipe. */
function progressReporter(context: CommandContext): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let shown = -1;
  return (done, total) => {
    const tenth = Math.floor((done * 10) / Math.max(total, 1));
    if (tenth === shown) return;
    shown = tenth;
    context.progress(`audit: ${done}/${total} pods judged`);
  };
}

function auditJson(report: AuditReport, workloads: AuditedWorkload[]) {
  return {
    violating: report.findings.some((f) => f.status !== 'unknown'),
    judged: report.judged,
    conforming: report.conforming,
    skipped: report.skipped,
    lookups: report.lookups,
    workloads: workloads.map((w) => ({
      namespace: w.namespace,
      owner: w.owner,
      status: w.status,
      pods: w.pods,
      violations: w.violations,
    })),
  };
}
