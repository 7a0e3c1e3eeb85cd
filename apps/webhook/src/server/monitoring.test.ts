import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dashboardJson,
  type KubeObject,
  kubernetesSchemaProblems,
  MONITORING_DIR,
  metricNamesIn,
  objectKey,
  prometheusRuleSpec,
  REPO_ROOT,
  renderKustomization,
} from '@signet/deploy';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticPolicySource } from '../policies/policy-source.js';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';

// biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML in assertions
type Any = Record<string, any>;

const DEPLOY = join(REPO_ROOT, 'deploy');

function find(objects: KubeObject[], kind: string, name: string): Any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toBeDefined();
  return found as Any;
}

function rulesFor(objects: KubeObject[], kind: string, name: string): Any[] {
  return find(objects, kind, name).rules;
}

describe('deploy/: the audit RBAC, least privilege', () => {
  it('the base may list and watch Pods and create Events, and hold one Lease in its namespace; it never writes Pods', async () => {
    const objects = renderKustomization(DEPLOY);
    const rules = rulesFor(objects, 'ClusterRole', 'signet-webhook');
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['events'], verbs: ['create'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] });
    const writes = objects
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => (o as Any).rules as Any[])
      .filter(
        (r) => r.resources.includes('pods') && r.verbs.some((v: string) => v !== 'list' && v !== 'watch'),
      );
    expect(writes).toEqual([]);
    const role = find(objects, 'Role', 'signet-webhook-audit');
    expect(role.metadata.namespace).toBe('signet');
    expect(role.rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['signet-webhook-audit'],
        verbs: ['get', 'update'],
      },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    expect(find(objects, 'RoleBinding', 'signet-webhook-audit').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'signet-webhook', namespace: 'signet' },
    ]);
    const container = find(objects, 'Deployment', 'signet-webhook').spec.template.spec.containers[0];
    expect(container.env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
  });

  it('audit-annotate adds the argument and pods patch, nothing more', async () => {
    const objects = renderKustomization(DEPLOY, ['audit-annotate']);
    for (const object of objects)
      expect(await kubernetesSchemaProblems(object), objectKey(object)).toEqual([]);
    const container = find(objects, 'Deployment', 'signet-webhook').spec.template.spec.containers[0];
    expect(container.args).toContain('--audit-annotate=signet');
    expect(rulesFor(objects, 'ClusterRole', 'signet-webhook-audit-annotate')).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['patch'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'signet-webhook-audit-annotate').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'signet-webhook', namespace: 'signet' },
    ]);
  });
});

describe('deploy/monitoring', () => {
  const objects = renderKustomization(DEPLOY, ['monitoring']);

  it('the PodMonitor scrapes the Deployment’s pods on their HTTPS port', () => {
    const monitor = find(objects, 'PodMonitor', 'signet-webhook');
    const template = find(objects, 'Deployment', 'signet-webhook').spec.template;
    expect(monitor.metadata.namespace).toBe('signet');
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) {
      expect(template.metadata.labels[key]).toBe(value);
    }
    const [endpoint] = monitor.spec.podMetricsEndpoints;
    const ports = template.spec.containers[0].ports.map((p: Any) => p.name);
    expect(ports).toContain(endpoint.port);
    expect(endpoint).toMatchObject({ path: '/metrics', scheme: 'https' });
  });

  it('the dashboard ConfigMap holds exactly grafana-dashboard.json', async () => {
    const configMap = find(objects, 'ConfigMap', 'signet-grafana-dashboard');
    expect(await kubernetesSchemaProblems(configMap as KubeObject)).toEqual([]);
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(configMap.data['signet.json']).toBe(
      readFileSync(join(MONITORING_DIR, 'grafana-dashboard.json'), 'utf8'),
    );
  });

  it('has the alerts the operators need, each with a severity and a description', () => {
    const rules = prometheusRuleSpec().groups.flatMap((g) => g.rules) as Any[];
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'SignetBackendErrors',
      'SignetCertificateExpiringSoon',
      'SignetDeadlineDenials',
      'SignetDenialRateSpike',
      'SignetIndexReadsTooSlow',
      'SignetIndexStale',
      'SignetRunningViolations',
      'SignetWebhookDown',
      'SignetWebhookNotReady',
    ]);
    for (const rule of rules) {
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.description.length).toBeGreaterThan(40);
    }
    expect(rules.find((r) => r.alert === 'SignetRunningViolations')?.for).toBe('1h');
  });

  it('the dashboard covers decisions, latency by stage, caches, backend, running violations and the certificate', () => {
    const exprs = dashboardJson()
      .panels.flatMap((p) => p.targets.map((t) => t.expr))
      .join('\n');
    for (const metric of [
      'signet_admission_decisions_total',
      'signet_admission_stage_seconds_bucket',
      'signet_metadata_cache_lookups_total',
      'signet_metadata_backend_calls_total',
      'signet_metadata_backend_errors_total',
      'signet_running_violations',
      'signet_tls_certificate_expiry_timestamp_seconds',
    ]) {
      expect(exprs).toContain(metric);
    }
  });
});

describe('every metric the rules and the dashboard name is in a real /metrics scrape', () => {
  let webhook: RunningWebhook;
  let exposed: Set<string>;

  beforeAll(async () => {
    webhook = await startWebhook({
      policies: { from: 'source', source: staticPolicySource([]) },
      store: 'sqlite::memory:',
      // The index's metrics exist only with the index: forced on here so the scrape has them too.
      index: { mode: 'on' },
      insecureHttp: true,
      port: 0,
      host: '127.0.0.1',
      shutdownDelayMs: 0,
      logger: pino({ level: 'silent' }),
    });
    const scrape = await (await fetch(`${webhook.url}/metrics`)).text();
    exposed = new Set<string>();
    for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exposed.add(name as string);
      if (type === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(`${name}${suffix}`);
    }
    // Scraped by Prometheus itself, not exported.
    exposed.add('up');
  });
  afterAll(async () => {
    await webhook?.stop();
  });

  it('the scrape is real: it has the webhook’s own series', () => {
    expect(exposed.has('signet_admission_decisions_total')).toBe(true);
    expect(exposed.has('signet_definitely_not_a_metric')).toBe(false);
  });

  it.each([
    ['prometheus-rule.yaml', () => prometheusRuleSpec().groups.flatMap((g) => g.rules.map((r) => r.expr))],
    ['grafana-dashboard.json', () => dashboardJson().panels.flatMap((p) => p.targets.map((t) => t.expr))],
  ])('%s', (_file, exprs) => {
    const named = [...new Set(exprs().flatMap(metricNamesIn))];
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !exposed.has(name))).toEqual([]);
  });
});
