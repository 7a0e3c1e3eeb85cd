import { type LookupCounts, RunLookups } from './audit-lookups.js';
import { findBreakglass } from './breakglass.js';
import { decide } from './decide.js';
import { denialMessage } from './message.js';
import type { EvidenceSource } from './metadata.js';
import { describeResource, isRecord } from './parse.js';
import type { NamespacePolicies } from './resource-types.js';
import { type RunningContainer, runningPod } from './running-images.js';
import type { ClusterSettings } from './schemas/settings.js';
import { AttestationVerifier } from './verifier.js';
import type { Violation } from './violation.js';

/** A running Pod as the Kubernetes API returns it (checked here, so anything goes). */
export type PodObject = unknown;

/** What an audit found about one Pod that does not conform. */
export interface PodFinding {
  namespace: string;
  name: string;
  uid: string;
  pod: PodObject;
  /**
   * `violating`: the policy denies it now. `breakglass`: admitted by breakglass, still violating.
   * `unknown`: the metadata backend failed, so nothing could be proven either way.
   */
  status: 'violating' | 'breakglass' | 'unknown';
  violations: Violation[];
  /** The message admission would give, every reason and fix included. */
  message: string;
  /** The images judged: those running (`status.*ContainerStatuses[].imageID`), else the spec's. */
  images: string[];
  /** Containers whose running image differs from the spec's, or cannot be read (see `runningPod`). */
  running: RunningContainer[];
}

export interface AuditInput {
  pods: Iterable<PodObject>;
  /** The policies in force in a namespace (as admission resolves them). */
  policiesFor(namespace: string): NamespacePolicies;
  /** Admission's metadata source (its caches); each distinct lookup is made once per run on top of it. */
  metadata: EvidenceSource;
  verifier?: AttestationVerifier;
  settings?: Partial<ClusterSettings>;
  /** Namespaces never audited (the webhook's own, kube-system), as admission skips them. */
  skipNamespaces?: readonly string[];
  /** Pods judged at once. */
  concurrency?: number;
  onProgress?(done: number, total: number): void;
  now?: Date;
}

export interface AuditReport {
  /** Pods judged (running, in reviewed namespaces). */
  judged: number;
  conforming: number;
  /** Pods left out: skipped namespaces, and Pods that finished (Succeeded, Failed). */
  skipped: number;
  findings: PodFinding[];
  /** Distinct backend lookups this run asked for. */
  lookups: LookupCounts;
}

const AUDIT_SKIPPED_NAMESPACES: readonly string[] = ['kube-system'];
const FINISHED_PHASES = new Set(['Succeeded', 'Failed']);

/**
 * Re-judges running Pods with the admission decision, against today's policies and metadata.
 * Never throws; yields to the event loop between Pods so admission keeps its latency.
 */
export async function auditPods(input: AuditInput): Promise<AuditReport> {
  const lookups = new RunLookups(input.metadata);
  const verifier = input.verifier ?? new AttestationVerifier();
  const skip = new Set([...AUDIT_SKIPPED_NAMESPACES, ...(input.skipNamespaces ?? [])]);
  const pods: PodIdentity[] = [];
  let skipped = 0;
  for (const pod of input.pods) {
    const identity = identify(pod);
    if (!identity || skip.has(identity.namespace) || FINISHED_PHASES.has(identity.phase)) skipped += 1;
    else pods.push(identity);
  }
  const findings: (PodFinding | undefined)[] = new Array(pods.length);
  let next = 0;
  let done = 0;
  const judgeNext = async (): Promise<void> => {
    while (next < pods.length) {
      const index = next++;
      findings[index] = await auditPod(pods[index] as PodIdentity, input, lookups, verifier);
      done += 1;
      input.onProgress?.(done, pods.length);
      await yieldToEventLoop();
    }
  };
  const workers = Math.max(1, Math.min(input.concurrency ?? 8, pods.length));
  await Promise.all(Array.from({ length: workers }, judgeNext));
  const found = findings.filter((f): f is PodFinding => f !== undefined);
  return {
    judged: pods.length,
    conforming: pods.length - found.length,
    skipped,
    findings: found,
    lookups: lookups.counts,
  };
}

interface PodIdentity {
  namespace: string;
  name: string;
  uid: string;
  phase: string;
  pod: PodObject;
}

function identify(pod: PodObject): PodIdentity | undefined {
  if (!isRecord(pod) || !isRecord(pod.metadata)) return undefined;
  const { namespace, name, uid } = pod.metadata;
  if (typeof namespace !== 'string' || typeof name !== 'string') return undefined;
  const phase = isRecord(pod.status) && typeof pod.status.phase === 'string' ? pod.status.phase : '';
  return { namespace, name, uid: typeof uid === 'string' ? uid : '', phase, pod };
}

/**
 * Judges the Pod by what runs: its containers' images as their statuses report them (`runningPod`),
 * decided as a Pod creation. A container whose running image cannot be read is a violation of its own
 * wherever an enforced policy judges the namespace's images: never a silent pass on the spec image.
 */
async function auditPod(
  pod: PodIdentity,
  input: AuditInput,
  metadata: EvidenceSource,
  verifier: AttestationVerifier,
): Promise<PodFinding | undefined> {
  const running = runningPod(pod.pod);
  const policies = input.policiesFor(pod.namespace);
  const decision = await decide({
    request: podCreation(pod, running.pod),
    policies,
    // Breakglass admitted it once; the audit still says whether it conforms. Backend failures are
    // reported as unknown, whatever admission does with them.
    settings: { ...input.settings, breakglass: 'off', onBackendError: 'deny' },
    metadata,
    verifier,
    ...(input.now ? { now: input.now } : {}),
  });
  const enforced = !decision.allowed || (decision.reason === 'policy' && enforcesAny(policies));
  const unreadable = enforced ? running.containers.flatMap(unreadableViolation) : [];
  if (decision.allowed && unreadable.length === 0) return undefined;
  // What runs cannot be read: that comes first, before what the spec image lacks.
  const violations = [
    ...unreadable,
    ...decision.violations.map((v) => namingSpecImage(v, running.containers)),
  ];
  const rewritten = running.containers.length > 0;
  const backendOnly = decision.denial === 'backend' && unreadable.length === 0;
  const breakglass = findBreakglass(pod.pod, 'Pod').requested;
  return {
    namespace: pod.namespace,
    name: pod.name,
    uid: pod.uid,
    pod: pod.pod,
    status: backendOnly ? 'unknown' : breakglass ? 'breakglass' : 'violating',
    violations,
    message: rewritten
      ? denialMessage(describeResource('Pod', { name: pod.name, namespace: pod.namespace }), violations)
      : decision.message,
    images: decision.images.judged,
    running: running.containers,
  };
}

/** Whether an enforced policy judges the namespace's images (DryRun ones only report, as admission does). */
function enforcesAny(policies: NamespacePolicies): boolean {
  return [...policies.genericAttestationPolicies, ...policies.imageSecurityPolicies].some(
    (policy) => policy.enforcementMode === 'Enforce',
  );
}

/** A violation of a running image says which container runs it and what the spec named. */
function namingSpecImage(violation: Violation, containers: readonly RunningContainer[]): Violation {
  const differing = containers.filter((c) => c.running === violation.image);
  if (differing.length === 0) return violation;
  const specs = differing.map((c) => `as ${c.where}.imageID reports; the Pod spec names ${c.specImage}`);
  return { ...violation, reason: `${violation.reason} (the digest running, ${specs.join('; ')})` };
}

const RUNNING_IMAGE_POLICY = 'running image (Pod status)';

function unreadableViolation(container: RunningContainer): Violation[] {
  if (!container.problem) return [];
  return [
    {
      image: container.specImage,
      // One policy name for every container: it is a metric label in the webhook.
      policy: RUNNING_IMAGE_POLICY,
      code: 'RUNNING_IMAGE_UNKNOWN',
      reason: `Signet cannot tell which image runs in ${container.where}: ${container.problem}`,
      fix: 'run images pulled from a registry (name the image by digest, NAME@sha256:…, with an imagePullPolicy that pulls it) so that the runtime reports the repository digest, then recreate the Pod',
    },
  ];
}

/** The admission request the API server would send for creating this Pod. */
function podCreation(pod: PodIdentity, object: unknown): Record<string, unknown> {
  return {
    uid: `audit-${pod.uid || `${pod.namespace}/${pod.name}`}`,
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: pod.namespace,
    name: pod.name,
    operation: 'CREATE',
    object,
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const SUMMARY_MAX = 256;

/** One line for an annotation or a table: the first violation's policy and code, and how many more. */
export function findingSummary(finding: PodFinding): string {
  const [first] = finding.violations;
  if (!first) return '';
  const more = finding.violations.length - 1;
  const text = `${first.code}: ${first.policy}${first.image === '*' ? '' : ` (${first.image})`}${
    more > 0 ? ` and ${more} more` : ''
  }`;
  return text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1)}…`;
}
