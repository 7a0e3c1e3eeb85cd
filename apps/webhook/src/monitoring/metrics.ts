import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { FastCounter, FastGauge, FastHistogram } from './fast-metrics.js';

/** Every Prometheus series the webhook exports, on its own registry (several servers may share a process). */
export interface WebhookMetrics {
  registry: Registry;
  decisions: FastCounter<'decision' | 'reason'>;
  /** POST /mutate's answers, apart from /validate's decisions. */
  mutations: FastCounter<'decision' | 'reason'>;
  /** Tag resolutions of POST /mutate, one per distinct image of a review: cached, fetched, or the failure's code. */
  resolutions: FastCounter<'result'>;
  /** Reads of cosign signatures for cosign authorities (decisions and the audit): cached, fetched, or the failure's code. */
  cosignReads: FastCounter<'result'>;
  stageSeconds: FastHistogram<'stage'>;
  cacheLookups: FastCounter<'cache' | 'result'>;
  backendCalls: FastCounter<'backend'>;
  backendErrors: FastCounter<'backend' | 'reason'>;
  breakglass: FastCounter<'namespace'>;
  inFlight: FastGauge;
  lateDecisions: FastCounter;
  tlsReloads: FastCounter<'result'>;
  policyReloads: FastCounter<'source' | 'result'>;
  /** Expiry of the serving certificate in use (seconds since the epoch). */
  certificateExpiry: Gauge;
  /** 1 while /readyz says ready; the server installs the probe it is computed from. */
  ready: Gauge;
  readinessProbe: { current: () => boolean };
  audit: AuditMetrics;
  indexReads: FastHistogram<'result'>;
}

/** The audit of running Pods: exported by the replica that leads it, absent on the others. */
export interface AuditMetrics {
  runningViolations: Gauge<'namespace' | 'policy' | 'reason'>;
  pods: Gauge<'status'>;
  runs: FastCounter<'result'>;
  lastSuccess: Gauge;
  durationSeconds: Gauge;
  leader: Gauge;
}

const READ_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): WebhookMetrics {
  const registry = new Registry();
  const readinessProbe = { current: () => false };
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'signet_webhook_' });
  return {
    registry,
    decisions: new FastCounter(
      registry,
      'signet_admission_decisions_total',
      'Admission decisions, by outcome and reason (policy, breakglass, no-policy, backend-error, deadline, internal-error, not-reviewed, invalid-policy, malformed-request).',
    ),
    mutations: new FastCounter(
      registry,
      'signet_mutation_decisions_total',
      'POST /mutate answers, by outcome and reason (pinned, already-pinned, not-mutated, resolve-off, registry-error, pull-secrets, malformed-request, deadline, internal-error).',
    ),
    resolutions: new FastCounter(
      registry,
      'signet_registry_resolutions_total',
      'Tag resolutions by POST /mutate, one per distinct image of a review, by result: cached, fetched, or the failure code (REGISTRY_TAG_UNKNOWN, REGISTRY_UNAUTHORIZED, REGISTRY_TIMEOUT, ...).',
    ),
    cosignReads: new FastCounter(
      registry,
      'signet_cosign_reads_total',
      'Reads of the cosign signatures, attestations and bundles of an image (per image and signature repository, for cosign authorities), by result: cached, fetched, or the failure code (REGISTRY_UNAUTHORIZED, REGISTRY_TIMEOUT, ...).',
    ),
    stageSeconds: new FastHistogram(
      registry,
      'signet_admission_stage_seconds',
      'Time spent per stage of a review: parse, policies (lookup), decide (metadata + verification), total; mutate (a whole POST /mutate review).',
      LATENCY_BUCKETS,
    ),
    cacheLookups: new FastCounter(
      registry,
      'signet_metadata_cache_lookups_total',
      'Cache lookups: attestations and vulnerabilities (hit, miss = a backend call, shared = joined a call in flight), decisions (hit).',
    ),
    backendCalls: new FastCounter(
      registry,
      'signet_metadata_backend_calls_total',
      'Calls made to the metadata backend.',
    ),
    backendErrors: new FastCounter(
      registry,
      'signet_metadata_backend_errors_total',
      'Metadata backend failures (unreachable, erroring, garbage, timeout), by lookup and error code.',
    ),
    breakglass: new FastCounter(
      registry,
      'signet_breakglass_admissions_total',
      'Objects admitted through breakglass.',
    ),
    inFlight: new FastGauge(registry, 'signet_admission_in_flight', 'Reviews being decided.'),
    lateDecisions: new FastCounter(
      registry,
      'signet_admission_late_decisions_total',
      'Decisions finished after their deadline had already been answered (slow backend).',
    ),
    tlsReloads: new FastCounter(registry, 'signet_tls_reloads_total', 'Serving certificate reloads.'),
    policyReloads: new FastCounter(
      registry,
      'signet_policy_reloads_total',
      'Policy reloads from the policy folder or the Kubernetes API (result: ok, problems, or failed when a scan or a listener threw).',
    ),
    certificateExpiry: new Gauge({
      name: 'signet_tls_certificate_expiry_timestamp_seconds',
      help: 'When the serving certificate in use expires (Unix time); updated on each load and renewal.',
      registers: [registry],
    }),
    ready: new Gauge({
      name: 'signet_webhook_ready',
      help: '1 when the webhook is ready to review (policies listed, not shutting down), as /readyz.',
      registers: [registry],
      collect() {
        this.set(readinessProbe.current() ? 1 : 0);
      },
    }),
    readinessProbe,
    audit: createAuditMetrics(registry),
    indexReads: new FastHistogram(
      registry,
      'signet_index_read_seconds',
      'Whole reads of a note or project into the index of a filter-ignoring backend (start-up fill, refresh, first read of a scope seen in a review), by result (ok, error).',
      READ_BUCKETS,
    ),
  };
}

function createAuditMetrics(registry: Registry): AuditMetrics {
  const registers = [registry];
  return {
    runningViolations: new Gauge({
      name: 'signet_running_violations',
      help: 'Running Pods that violate policy now, by namespace, policy and violation code (last audit run).',
      labelNames: ['namespace', 'policy', 'reason'],
      registers,
    }),
    pods: new Gauge({
      name: 'signet_audit_pods',
      help: 'Pods seen by the last audit run: conforming, violating, breakglass (still violating), unknown (backend failed), skipped.',
      labelNames: ['status'],
      registers,
    }),
    runs: new FastCounter(registry, 'signet_audit_runs_total', 'Audit runs, by result (ok, failed).'),
    lastSuccess: new Gauge({
      name: 'signet_audit_last_success_timestamp_seconds',
      help: 'When the last audit run finished (Unix time).',
      registers,
    }),
    durationSeconds: new Gauge({
      name: 'signet_audit_duration_seconds',
      help: 'Wall time of the last audit run.',
      registers,
    }),
    leader: new Gauge({
      name: 'signet_audit_leader',
      help: '1 on the replica that holds the audit lease, 0 on the others.',
      registers,
    }),
  };
}
