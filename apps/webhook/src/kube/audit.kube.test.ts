import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubeObject, parseObjects, REPO_ROOT } from '@signet/deploy';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { GUIDE, signImage } from '@signet/guide-world';
import { generatePgpKey, parseImageReference, resourceUrl } from '@signet/signing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KRITIS_LABEL, VIOLATION_ANNOTATION } from '../audit/pod-auditor.js';
import { AUDIT_LEASE_NAME } from '../audit/start-audit.js';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { metricValue } from '../test-support/metrics.js';
import { type SpawnedWebhook, spawnWebhook } from '../test-support/spawn-webhook.js';
import { findKubeAssets } from './test-support/assets.js';
import { type ControlPlane, startControlPlane } from './test-support/control-plane.js';
import { collectionPath } from './test-support/kube-client.js';

/**
 * The audit of running Pods against a real kube-apiserver and etcd (`pnpm test:kube`): Pods created
 * through the API server (they stay Pending: there is no kubelet), judged by the webhook's audit
 * as policies, keys and vulnerabilities change; `signet audit` from "a laptop"; two webhook
 * processes electing one auditor, and the hand-over when it is killed.
 */
// biome-ignore lint/suspicious/noExplicitAny: walking API objects in assertions
type Any = Record<string, any>;

const SHOP = 'shop';
const OWN = 'signet';
const digest = (c: string) => `sha256:${c.repeat(32)}`;
const SIGNED = `registry.example/shop/web@${digest('a1')}`;
const UNSIGNED = `registry.example/shop/cart@${digest('b2')}`;
const LATER_VULNERABLE = `registry.example/shop/api@${digest('c3')}`;
const LEASE_MS = 4_000;
const SIGNET_BIN = join(REPO_ROOT, 'apps', 'signer', 'bin', 'signet.js');

async function poll(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function pod(name: string, image: string, namespace = SHOP, metadata: Any = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...metadata },
    spec: { containers: [{ name: 'app', image }] },
  };
}

function kritis(kind: string, name: string, spec: Any): KubeObject {
  return { apiVersion: 'kritis.grafeas.io/v1beta1', kind, metadata: { name, namespace: SHOP }, spec };
}

function authority(publicKey: string): KubeObject {
  return kritis('AttestationAuthority', GUIDE.attestor, {
    noteReference: `projects/${GUIDE.project}`,
    publicKeyData: Buffer.from(publicKey).toString('base64'),
  });
}

function signet(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIGNET_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let plane: ControlPlane;

beforeAll(async () => {
  const assets = findKubeAssets();
  dir = await mkdtemp(join(tmpdir(), 'signet-kube-audit-'));
  plane = await startControlPlane(assets, dir);
  const crds = parseObjects(readFileSync(join(REPO_ROOT, 'deploy', 'crds.yaml'), 'utf8'));
  for (const crd of crds) await plane.client.mustCreate(collectionPath(crd), crd);
  await poll(
    'the CRDs are served',
    async () => (await plane.client.get('/apis/kritis.grafeas.io/v1beta1')).status === 200,
  );
}, 360_000);

afterAll(async () => {
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the audit of running Pods behind a real kube-apiserver (pnpm test:kube)', () => {
  let store: MetadataStore;
  let storeUrl: string;
  let webhook: RunningWebhook;
  let key: Awaited<ReturnType<typeof generatePgpKey>>;
  const created = new Map<string, Any>();

  const client = () => plane.client;
  const podPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/pods/${name}`;
  const readPod = async (namespace: string, name: string) =>
    (await client().get(podPath(namespace, name))).json as Any;
  const events = async (namespace: string) =>
    (((await client().get(`/api/v1/namespaces/${namespace}/events`)).json as Any).items as Any[]).filter(
      (e) => String(e.reason).startsWith('Signet'),
    );
  const violations = async (namespace = SHOP) =>
    (await events(namespace))
      .filter((e) => e.reason === 'SignetPolicyViolation')
      .map((e) => e.involvedObject.name as string)
      .sort();
  const scrape = () => webhook.metrics.registry.metrics();
  const audit = async () => {
    if (!(await webhook.audit?.runNow())) throw new Error('the webhook does not lead the audit');
  };

  beforeAll(async () => {
    for (const name of [SHOP, OWN]) {
      await client().mustCreate('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }

    key = await generatePgpKey({ name: 'Signet Release', email: 'release@example.com' });
    storeUrl = `sqlite:${join(dir, 'metadata.db')}`;
    store = await openMetadataStore(storeUrl, { api: 'v1' });
    await store.createNote(GUIDE.project, GUIDE.attestor, { kind: 'ATTESTATION', humanReadableName: 'QA' });
    for (const image of [SIGNED, LATER_VULNERABLE])
      await signImage(store, image, key.privateKey, key.fingerprint);

    for (const resource of [
      authority(key.publicKey),
      kritis('GenericAttestationPolicy', 'require-qa', { attestationAuthorityNames: [GUIDE.attestor] }),
      kritis('ImageSecurityPolicy', 'no-critical', {
        packageVulnerabilityRequirements: { maximumSeverity: 'HIGH' },
      }),
    ]) {
      await client().mustCreate(collectionPath(resource), resource);
    }

    // A Deployment's Pod as the controllers would leave it: Deployment → ReplicaSet → Pod (owner references).
    const cartSpec = {
      replicas: 1,
      selector: { matchLabels: { app: 'cart' } },
      template: {
        metadata: { labels: { app: 'cart' } },
        spec: { containers: [{ name: 'app', image: UNSIGNED }] },
      },
    };
    const deployment = await client().mustCreate('/apis/apps/v1/namespaces/shop/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: SHOP },
      spec: cartSpec,
    });
    const owner = (object: Any, kind: string) => ({
      apiVersion: 'apps/v1',
      kind,
      name: object.metadata.name,
      uid: object.metadata.uid,
      controller: true,
    });
    const replicaSet = await client().mustCreate('/apis/apps/v1/namespaces/shop/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'cart-5d9f', namespace: SHOP, ownerReferences: [owner(deployment, 'Deployment')] },
      spec: cartSpec,
    });
    const pods = [
      pod('web', SIGNED),
      pod('api', LATER_VULNERABLE),
      pod('cart-5d9f-x', UNSIGNED, SHOP, { ownerReferences: [owner(replicaSet, 'ReplicaSet')] }),
      pod('hotfix', UNSIGNED, SHOP, { annotations: { 'kritis.grafeas.io/breakglass': 'true' } }),
      pod('webhook', UNSIGNED, OWN),
    ];
    for (const object of pods) {
      const stored = await client().mustCreate(collectionPath(object), object);
      created.set(`${object.metadata.namespace}/${object.metadata.name}`, stored);
    }

    webhook = await startWebhook({
      policies: { from: 'kubernetes', kubeconfig: plane.kubeconfigFile },
      store: storeUrl,
      api: 'v1',
      project: GUIDE.project,
      insecureHttp: true,
      port: 0,
      host: '127.0.0.1',
      shutdownDelayMs: 0,
      // Metadata changes (a new CVE) are seen at the next run, not after the default 5 minutes.
      cache: { ttlMs: 1, emptyTtlMs: 1 },
      audit: {
        intervalMs: 3_600_000,
        annotate: 'kritis',
        namespace: OWN,
        leaseDurationMs: LEASE_MS,
        identity: 'in-process',
      },
      logger: pino({ level: 'silent' }),
    });
    await poll('the webhook has listed the policies', async () => webhook.policies.readiness().ready);
    await poll('the webhook leads the audit', async () => webhook.audit?.election.isLeader === true);
    await audit();
  }, 300_000);

  afterAll(async () => {
    await webhook?.stop();
    await store?.close();
  });

  it('records exactly one SignetPolicyViolation Event per violating Pod, with the admission message and fix', async () => {
    expect(await violations()).toEqual(['cart-5d9f-x']);
    const [event] = (await events(SHOP)).filter((e) => e.reason === 'SignetPolicyViolation');
    expect(event).toMatchObject({
      type: 'Warning',
      involvedObject: {
        kind: 'Pod',
        name: 'cart-5d9f-x',
        uid: created.get('shop/cart-5d9f-x')?.metadata.uid,
      },
      source: { component: 'signet-webhook' },
    });
    expect(event?.message).toContain('Signet denied Pod shop/cart-5d9f-x');
    expect(event?.message).toContain(UNSIGNED);
    expect(event?.message).toContain('fix:');
  });

  it('exports the gauge per namespace, policy and reason', async () => {
    const text = await scrape();
    expect(
      metricValue(text, 'signet_running_violations', {
        namespace: SHOP,
        policy: `GenericAttestationPolicy ${SHOP}/require-qa`,
        reason: 'NOT_ATTESTED',
      }),
    ).toBe(1);
    expect(metricValue(text, 'signet_running_violations')).toBe(1);
    expect(metricValue(text, 'signet_audit_leader')).toBe(1);
  });

  it('reports the breakglass Pod once, and marks violating Pods (annotation and Kritis label) only', async () => {
    const breakglass = (await events(SHOP)).filter((e) => e.reason === 'SignetBreakglassViolation');
    expect(breakglass.map((e) => e.involvedObject.name)).toEqual(['hotfix']);
    expect(breakglass[0]?.message).toMatch(/^admitted by breakglass, still violating: /);
    const cart = await readPod(SHOP, 'cart-5d9f-x');
    expect(cart.metadata.annotations[VIOLATION_ANNOTATION]).toContain('NOT_ATTESTED');
    expect(cart.metadata.labels[KRITIS_LABEL]).toBe('invalidImageSecPolicy');
  });

  it('writes nothing for conforming Pods, skips its own namespace, and never changes a spec', async () => {
    for (const name of ['web', 'api', 'hotfix']) {
      const now = await readPod(SHOP, name);
      expect(now.metadata.resourceVersion, name).toBe(created.get(`shop/${name}`)?.metadata.resourceVersion);
    }
    expect(await events(OWN)).toEqual([]);
    const own = await readPod(OWN, 'webhook');
    expect(own.metadata.resourceVersion).toBe(created.get('signet/webhook')?.metadata.resourceVersion);
    for (const [path, before] of created) {
      const [namespace, name] = path.split('/') as [string, string];
      expect((await readPod(namespace, name)).spec, path).toEqual(before.spec);
    }
  });

  it('signet audit prints the same findings, grouped by Deployment, with exit code 1', async () => {
    const json = await signet([
      '--store',
      storeUrl,
      '--output',
      'json',
      'audit',
      '--kubeconfig',
      plane.kubeconfigFile,
      '--vulnz-project',
      GUIDE.project,
    ]);
    expect(json.code, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as Any;
    expect(
      report.workloads.map((w: Any) => [w.namespace, `${w.owner.kind}/${w.owner.name}`, w.status, w.pods]),
    ).toEqual([
      [SHOP, 'Deployment/cart', 'violating', ['cart-5d9f-x']],
      [SHOP, 'Pod/hotfix', 'breakglass', ['hotfix']],
    ]);
    const text = await signet([
      '--store',
      storeUrl,
      'audit',
      '--kubeconfig',
      plane.kubeconfigFile,
      '--vulnz-project',
      GUIDE.project,
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^shop\s+Deployment\/cart\s+1\s+VIOLATES$/m);
    expect(text.stdout).toContain('fix:');
    const clean = await signet([
      '--store',
      storeUrl,
      'audit',
      '--kubeconfig',
      plane.kubeconfigFile,
      '--namespace',
      OWN,
      '--webhook-namespace',
      'elsewhere',
    ]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
  });

  it('sees a new CRITICAL vulnerability of a running image at the next run', async () => {
    await store.batchCreateOccurrences(GUIDE.project, [
      {
        kind: 'VULNERABILITY',
        resourceUri: resourceUrl(parseImageReference(LATER_VULNERABLE)),
        noteName: 'projects/goog-vulnz/notes/CVE-2099-0001',
        severity: 'CRITICAL',
        effectiveSeverity: 'CRITICAL',
        fixAvailable: true,
        packages: [
          { affectedCpeUri: 'cpe:/o:debian:debian_linux:12', affectedPackage: 'openssl', fixAvailable: true },
        ],
      },
    ]);
    await audit();
    expect(await violations()).toEqual(['api', 'cart-5d9f-x']);
    const message = (await events(SHOP)).find((e) => e.involvedObject.name === 'api')?.message as string;
    expect(message).toContain('CVE-2099-0001');
    expect(
      metricValue(await scrape(), 'signet_running_violations', {
        namespace: SHOP,
        policy: `ImageSecurityPolicy ${SHOP}/no-critical`,
        reason: 'VULNERABILITIES',
      }),
    ).toBe(1);
  });

  it('sees a revoked key: the authority now holds another key, so no Pod is attested', async () => {
    const other = await generatePgpKey({ name: 'Someone Else', email: 'else@example.com' });
    const path = `${collectionPath(authority(other.publicKey))}/${GUIDE.attestor}`;
    const generation = webhook.policies.snapshot().generation;
    const patched = await client().patch(path, [
      { op: 'replace', path: '/spec/publicKeyData', value: Buffer.from(other.publicKey).toString('base64') },
    ]);
    expect(patched.status).toBe(200);
    await poll(
      'the webhook sees the new key',
      async () => webhook.policies.snapshot().generation > generation,
    );
    await audit();
    // A finding whose message changed gets a new Event (api: now also unattested); an unchanged one does not.
    expect(await violations()).toEqual(['api', 'api', 'cart-5d9f-x', 'web']);
    const text = await scrape();
    expect(
      metricValue(text, 'signet_running_violations', {
        namespace: SHOP,
        policy: `GenericAttestationPolicy ${SHOP}/require-qa`,
        reason: 'NOT_ATTESTED',
      }),
    ).toBe(3);
    expect((await readPod(SHOP, 'web')).metadata.annotations[VIOLATION_ANNOTATION]).toContain('NOT_ATTESTED');
  });
});

describe('two signet-webhook processes elect one auditor (pnpm test:kube)', () => {
  /** Their own namespace, so the in-process webhook above does not compete for their Lease. */
  const HA = 'signet-ha';
  const processes: SpawnedWebhook[] = [];

  beforeAll(async () => {
    await plane.client.mustCreate('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: HA },
    });
    for (let i = 0; i < 2; i += 1) {
      const spawned = spawnWebhook(
        [
          '--kubernetes',
          '--kubeconfig',
          plane.kubeconfigFile,
          '--insecure-http',
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--audit-lease-duration',
          `${LEASE_MS}ms`,
        ],
        { POD_NAMESPACE: HA, SIGNET_STORE: `sqlite:${join(dir, 'metadata.db')}` },
      );
      processes.push(spawned);
    }
    // tsx compiles on start: on a busy machine that takes a while.
    await poll(
      'both processes listen',
      async () => {
        const exited = processes.find((p) => p.child.exitCode !== null);
        if (exited) throw new Error(`a webhook exited:\n${exited.stdout()}\n${exited.stderr()}`);
        return processes.every((p) => /listening on/.test(p.stdout()));
      },
      240_000,
    );
  }, 300_000);

  afterAll(async () => {
    for (const spawned of processes) {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGKILL');
      await spawned.exited;
    }
  });

  const lease = async () =>
    (await plane.client.get(`/apis/coordination.k8s.io/v1/namespaces/${HA}/leases/${AUDIT_LEASE_NAME}`))
      .json as Any;
  const leaders = () =>
    processes.map((p) =>
      [...p.stdout().matchAll(/"identity":"([^"]+)","msg":"leading the audit"/g)].map((m) => m[1]),
    );

  it('exactly one leads; killing it hands over within the lease duration', async () => {
    await poll('one process leads the audit', async () => leaders().flat().length === 1);
    const holder = (await lease()).spec.holderIdentity as string;
    const index = leaders().findIndex((ids) => ids.includes(holder));
    expect(index).toBeGreaterThanOrEqual(0);
    const leader = processes[index] as SpawnedWebhook;
    const follower = processes[1 - index] as SpawnedWebhook;
    expect(leaders()[1 - index]).toEqual([]);

    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    await poll(
      'the other process takes the lease',
      async () => (await lease()).spec.holderIdentity !== holder,
    );
    const taken = await lease();
    const acquiredAt = new Date(taken.spec.acquireTime).getTime();
    // The takeover comes once the last renewal is a lease duration old: at most that long after the kill
    // (plus the time one API call takes on a busy machine).
    expect(acquiredAt - killedAt).toBeLessThanOrEqual(LEASE_MS + 1_000);
    expect(taken.spec.leaseTransitions).toBe(1);
    // Its log lines are batched: wait for the line rather than read it at once.
    await poll('the follower logs that it leads', async () =>
      follower.stdout().includes('"msg":"leading the audit"'),
    );
  });
});
