import { writeFileSync } from 'node:fs';
import {
  type AuditReport,
  auditPods,
  type PodFinding,
  parseImageSecurityPolicy,
  type Violation,
} from '@signet/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAudit, groupByWorkload } from '../policy-io/audit-table.js';
import { expectCleanError, runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';

const violation = (image: string): Violation => ({
  image,
  policy: 'ImageSecurityPolicy shop/no-critical',
  code: 'VULNERABILITIES',
  reason: 'CVE-2099-1 is CRITICAL',
  fix: 'rebuild on a patched base image',
});

function finding(
  name: string,
  owner: { kind: string; name: string } | undefined,
  status: PodFinding['status'] = 'violating',
): PodFinding {
  return {
    namespace: 'shop',
    name,
    uid: `uid-${name}`,
    pod: {
      metadata: {
        name,
        namespace: 'shop',
        ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}),
      },
    },
    status,
    violations: [violation('registry.example/legacy@sha256:1')],
    message: 'Signet denied …',
    images: ['registry.example/legacy@sha256:1'],
    running: [],
  };
}

const report = (findings: PodFinding[]): AuditReport => ({
  judged: 4,
  conforming: 4 - findings.length,
  skipped: 1,
  findings,
  lookups: { attestations: 1, vulnerabilities: 1 },
});

describe('the audit table', () => {
  it('groups Pods by Deployment through their ReplicaSet and by CronJob through their Job', async () => {
    const parents: Record<string, { kind: string; name: string }> = {
      'ReplicaSet/legacy-5d9': { kind: 'Deployment', name: 'legacy' },
      'Job/nightly-28999': { kind: 'CronJob', name: 'nightly' },
    };
    const findings = [
      finding('legacy-5d9-a', { kind: 'ReplicaSet', name: 'legacy-5d9' }),
      finding('legacy-5d9-b', { kind: 'ReplicaSet', name: 'legacy-5d9' }),
      finding('nightly-28999-x', { kind: 'Job', name: 'nightly-28999' }),
      finding('db-0', { kind: 'StatefulSet', name: 'db' }),
    ];
    const asked: string[] = [];
    const workloads = await groupByWorkload(findings, async (_ns, owner) => {
      asked.push(`${owner.kind}/${owner.name}`);
      return parents[`${owner.kind}/${owner.name}`];
    });
    expect(workloads.map((w) => [`${w.owner.kind}/${w.owner.name}`, w.pods])).toEqual([
      ['CronJob/nightly', ['nightly-28999-x']],
      ['Deployment/legacy', ['legacy-5d9-a', 'legacy-5d9-b']],
      ['StatefulSet/db', ['db-0']],
    ]);
    expect(workloads[1]?.violations).toHaveLength(1);
    expect(asked).not.toContain('StatefulSet/db');
    const text = describeAudit(report(findings), workloads);
    expect(text).toMatch(/^NAMESPACE\s+WORKLOAD\s+PODS\s+STATUS$/m);
    expect(text).toMatch(/^shop\s+Deployment\/legacy\s+2\s+VIOLATES$/m);
    expect(text).toContain('    fix: rebuild on a patched base image');
    expect(text).toContain('4 running pods judged: 0 conform, 4 violate');
  });

  it('says which Pods were admitted by breakglass and which could not be judged', async () => {
    const findings = [finding('glass', undefined, 'breakglass'), finding('dark', undefined, 'unknown')];
    const text = describeAudit(report(findings), await groupByWorkload(findings, async () => undefined));
    expect(text).toContain('admitted by breakglass, still violating');
    expect(text).toContain('the metadata store failed');
    expect(text).toContain('1 violate, 1 could not be judged');
  });
});

describe('the audit table of Pods judged by what runs', () => {
  it('shows the running digest, with the spec image beside it, and a container whose image is unknown', async () => {
    const parsed = parseImageSecurityPolicy({
      apiVersion: 'kritis.grafeas.io/v1beta1',
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'no-critical', namespace: 'shop' },
      spec: { packageVulnerabilityRequirements: { maximumSeverity: 'HIGH' } },
    });
    if (!parsed.ok) throw new Error('the test policy does not parse');
    const running = `registry.example/legacy@sha256:${'b'.repeat(64)}`;
    const local = `sha256:${'c'.repeat(64)}`;
    const pod = (name: string, imageID: string) => ({
      metadata: { name, namespace: 'shop', uid: name },
      spec: { containers: [{ name: 'app', image: 'registry.example/legacy:v1' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'app', imageID, state: { running: {} } }] },
    });
    const audited = await auditPods({
      pods: [pod('tagged', `docker-pullable://${running}`), pod('loaded', local)],
      policiesFor: () => ({
        authorities: [],
        genericAttestationPolicies: [],
        imageSecurityPolicies: [parsed.value],
        invalid: [],
      }),
      metadata: {
        attestations: async () => [],
        vulnerabilities: async () => [
          {
            noteName: 'projects/p/notes/CVE-2099-1',
            cveId: 'CVE-2099-1',
            severity: 'CRITICAL',
            fixAvailable: true,
          },
        ],
      },
      settings: { vulnerabilityProject: 'scans' },
    });
    const text = describeAudit(audited, await groupByWorkload(audited.findings, async () => undefined));
    expect(text).toContain(running);
    expect(text).toContain('the Pod spec names registry.example/legacy:v1');
    expect(text).toContain(`its imageID ${local} is an image ID`);
    expect(text).toContain('2 running pods judged: 0 conform, 2 violate');
  });
});

describe('signet audit against a cluster it cannot use', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('exit 2 for a kubeconfig that does not exist', async () => {
    const run = await runSignet(['audit', '--kubeconfig', sandbox.path('missing')], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read the kubeconfig');
    expectCleanError(run);
  });

  it('exit 3 when the API server does not answer', async () => {
    const kubeconfig = sandbox.path('kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const run = await runSignet(['audit', '--kubeconfig', kubeconfig, '--output', 'json'], sandbox.env);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).error.code).toBe('KUBE_API_FAILED');
    expectCleanError(run);
  });
});
