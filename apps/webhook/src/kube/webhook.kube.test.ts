import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUIDE_RESOURCES, type KubeObject, objectKey, parseObjects, runShell } from '@signet/deploy';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { GUIDE, NOTE_NAME, signImage } from '@signet/guide-world';
import { generatePgpKey } from '@signet/signing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { metricValue } from '../test-support/metrics.js';
import { findKubeAssets } from './test-support/assets.js';
import { type ControlPlane, startControlPlane } from './test-support/control-plane.js';
import { collectionPath } from './test-support/kube-client.js';
import { pod } from './test-support/objects.js';
import { poll } from './test-support/poll.js';
import {
  applyCrd,
  registerWebhooks,
  renderInstall,
  waitUntilHookDenies,
} from './test-support/webhook-registration.js';

/**
 * The user's guide against a real kube-apiserver and etcd (envtest-style, `pnpm test:kube`):
 * deploy/crds.yaml and the guide's resources applied to the API server, the webhook registered
 * from the guide's rendering of deploy/webhook.yaml (pointed at this process by URL), and pods and
 * Deployments created through the API server, which calls the webhook over TLS.
 */
const HOOK = 'signet-validation-hook.grafeas.io';
const SIGNED = GUIDE.images.signed;
const UNSIGNED = GUIDE.images.unsigned;
const SEVERITIES = '"MINIMAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "BLOCK_ALL", "ALLOW_ALL"';
// The guide's "Set initial variables": the authority's name is the note's (qa-attestor in projects/signet-demo).
const VALUES = { K8S_NAMESPACE: 'kritis', GCP_PROJECT: GUIDE.project, NOTE_NAME: GUIDE.attestor };

// biome-ignore lint/suspicious/noExplicitAny: walking API objects in assertions
type Any = Record<string, any>;

function deployment(name: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

describe('signet-webhook behind a real kube-apiserver (pnpm test:kube)', () => {
  let dir: string;
  let plane: ControlPlane;
  let store: MetadataStore;
  let webhook: RunningWebhook;
  let installed: KubeObject[];
  let resources: KubeObject[];

  beforeAll(async () => {
    const assets = findKubeAssets();
    dir = await mkdtemp(join(tmpdir(), 'signet-kube-'));
    plane = await startControlPlane(assets, dir);

    // The guide's install, rendered by its own sed pipelines; we apply the CRDs and the webhook
    // configuration (the Deployment and Service are replaced by this process, reached by URL).
    installed = renderInstall(VALUES);
    for (const crd of installed.filter((o) => o.kind === 'CustomResourceDefinition'))
      await applyCrd(plane.client, crd);

    // Steps 1-2: a key, the attestation note and a signed image, in the embedded SQLite store.
    const key = await generatePgpKey({ name: 'Signet Release', email: 'release@example.com' });
    const storeUrl = `sqlite:${join(dir, 'metadata.db')}`;
    store = await openMetadataStore(storeUrl, { api: 'v1' });
    await store.createNote(GUIDE.project, GUIDE.attestor, {
      kind: 'ATTESTATION',
      humanReadableName: 'QA attestor',
    });
    await signImage(store, SIGNED, key.privateKey, key.fingerprint);

    // Step 3: the guide's three resources, exactly as its heredocs write them.
    await writeFile(join(dir, 'key.pub'), key.publicKey);
    resources = parseObjects(
      runShell(GUIDE_RESOURCES, VALUES, { cwd: dir, prelude: 'base64() { command base64 -w0 "$@"; }' }),
    );
    for (const resource of resources) await plane.client.mustCreate(collectionPath(resource), resource);

    webhook = await startWebhook({
      policies: { from: 'kubernetes', kubeconfig: plane.kubeconfigFile },
      store: storeUrl,
      api: 'v1',
      project: GUIDE.project,
      tls: { certFile: plane.pki.servingCertFile, keyFile: plane.pki.servingKeyFile },
      port: 0,
      host: '127.0.0.1',
      shutdownDelayMs: 0,
      logger: pino({ level: 'silent' }),
    });
    await poll('the webhook has listed the policies', async () => webhook.policies.readiness().ready);

    await registerWebhooks(plane.client, installed, ['ValidatingWebhookConfiguration'], {
      url: webhook.url,
      caPem: plane.pki.caPem,
    });
    await waitUntilHookDenies(plane.client, HOOK, pod('probe', UNSIGNED));
  }, 300_000);

  afterAll(async () => {
    await webhook?.stop();
    await store?.close();
    await plane?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the three kinds of deploy/crds.yaml in kritis.grafeas.io/v1beta1', async () => {
    const result = await plane.client.get('/apis/kritis.grafeas.io/v1beta1');
    expect(result.status).toBe(200);
    const kinds = ((result.json as Any).resources as Any[]).map((r) => `${r.kind} ${r.name} ${r.namespaced}`);
    expect(kinds.sort()).toEqual([
      'AttestationAuthority attestationauthorities true',
      'GenericAttestationPolicy genericattestationpolicies true',
      'ImageSecurityPolicy imagesecuritypolicies true',
    ]);
  });

  it("stores the guide's resources as written, and the webhook loads them from the cluster", async () => {
    expect(resources.map(objectKey)).toEqual([
      'kritis.grafeas.io/v1beta1 ImageSecurityPolicy default/test-security-policy',
      `kritis.grafeas.io/v1beta1 AttestationAuthority default/${GUIDE.attestor}`,
      `kritis.grafeas.io/v1beta1 GenericAttestationPolicy default/${GUIDE.attestor}-policy`,
    ]);
    for (const resource of resources) {
      const stored = await plane.client.get(`${collectionPath(resource)}/${resource.metadata.name}`);
      expect(stored.status).toBe(200);
      expect((stored.json as Any).spec).toEqual(resource.spec);
    }
    const loaded = webhook.policies.snapshot().documents.filter((d) => d.namespace === 'default');
    expect(loaded.map((d) => d.source).sort()).toEqual([
      `kubernetes:AttestationAuthority/default/${GUIDE.attestor}`,
      `kubernetes:GenericAttestationPolicy/default/${GUIDE.attestor}-policy`,
      'kubernetes:ImageSecurityPolicy/default/test-security-policy',
    ]);
  });

  describe('the CRD schema refuses mistakes that Kritis read as "no requirement"', () => {
    const isp = (name: string, spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'kritis.grafeas.io/v1beta1',
      kind: 'ImageSecurityPolicy',
      metadata: { name, namespace: 'default' },
      spec,
    });

    it('a typo in a field name, as kubectl create sends it (fieldValidation=Strict)', async () => {
      const typo = isp('typo', { packageVulnerabilityRequirement: { maximumSeverity: 'MEDIUM' } });
      const result = await plane.client.create(collectionPath(typo), typo);
      expect(result.status).toBe(400);
      expect((result.json as Any).message).toBe(
        'ImageSecurityPolicy in version "v1beta1" cannot be handled as a ImageSecurityPolicy: ' +
          'strict decoding error: unknown field "spec.packageVulnerabilityRequirement"',
      );
      expect((await plane.client.get(`${collectionPath(typo)}/typo`)).status).toBe(404);
    });

    it('a wrong severity value', async () => {
      const wrong = isp('wrong', { packageVulnerabilityRequirements: { maximumSeverity: 'SEVERE' } });
      const result = await plane.client.create(collectionPath(wrong), wrong);
      expect(result.status).toBe(422);
      expect((result.json as Any).message).toContain(
        `spec.packageVulnerabilityRequirements.maximumSeverity: Unsupported value: "SEVERE": supported values: ${SEVERITIES}`,
      );
    });
  });

  it('registers the webhook from the rendered webhook.yaml, by URL with its CA', async () => {
    const result = await plane.client.get(
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/signet-webhook',
    );
    expect(result.status).toBe(200);
    const [hook] = (result.json as Any).webhooks as [Any];
    expect(hook.name).toBe(HOOK);
    expect(hook.clientConfig.url).toBe(`${webhook.url}/validate`);
    expect(Buffer.from(hook.clientConfig.caBundle, 'base64').toString()).toBe(plane.pki.caPem);
    expect(hook.failurePolicy).toBe('Fail');
  });

  it('admits a pod whose image is signed, after the webhook reviewed it', async () => {
    const before = await decisions('allow');
    const result = await plane.client.create('/api/v1/namespaces/default/pods', pod('signed', SIGNED));
    expect(result.status).toBe(201);
    expect(await decisions('allow')).toBe(before + 1);
    const stored = await plane.client.get('/api/v1/namespaces/default/pods/signed');
    expect((stored.json as Any).spec.containers[0].image).toBe(SIGNED);
  });

  it('denies an unsigned pod with the message kubectl prints after "admission webhook … denied the request:"', async () => {
    const result = await plane.client.create('/api/v1/namespaces/default/pods', pod('unsigned', UNSIGNED));
    expect(result.status).toBe(403);
    const status = result.json as Any;
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    const [head, image, violation, fix] = (status.message as string).split('\n');
    expect([head, image, violation]).toEqual([
      `admission webhook "${HOOK}" denied the request: Signet denied Pod default/unsigned: 1 image failed policy.`,
      `image ${UNSIGNED}:`,
      `  - GenericAttestationPolicy default/${GUIDE.attestor}-policy: no attestation by AttestationAuthority ` +
        `${GUIDE.attestor} (note ${NOTE_NAME})`,
    ]);
    expect(fix).toContain(`signet sign --image ${UNSIGNED} --note ${NOTE_NAME}`);
    expect((await plane.client.get('/api/v1/namespaces/default/pods/unsigned')).status).toBe(404);
  });

  it('denies changing a running pod to an unsigned image (UPDATE, with the oldObject the API server sends)', async () => {
    await plane.client.mustCreate('/api/v1/namespaces/default/pods', pod('updated', SIGNED));
    const patch = [{ op: 'replace', path: '/spec/containers/0/image', value: UNSIGNED }];
    const result = await plane.client.patch('/api/v1/namespaces/default/pods/updated', patch);
    expect(result.status).toBe(403);
    expect((result.json as Any).message).toMatch(
      new RegExp(
        `denied the request: Signet denied Pod default/updated: 1 image failed policy\\.\nimage ${UNSIGNED}:`,
      ),
    );
    const stored = await plane.client.get('/api/v1/namespaces/default/pods/updated');
    expect((stored.json as Any).spec.containers[0].image).toBe(SIGNED);
  });

  it('reviews Deployments too: signed admitted, unsigned denied', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    expect((await plane.client.create(path, deployment('web', SIGNED))).status).toBe(201);
    const unsigned = await plane.client.create(path, deployment('cart', UNSIGNED));
    expect(unsigned.status).toBe(403);
    expect((unsigned.json as Any).message.split('\n').slice(0, 2)).toEqual([
      `admission webhook "${HOOK}" denied the request: Signet denied Deployment default/cart: 1 image failed policy.`,
      `image ${UNSIGNED}:`,
    ]);
    expect((await plane.client.get(`${path}/cart`)).status).toBe(404);
  });

  it('follows policy changes made through the API server (list+watch)', async () => {
    await createNamespace('team-b');
    // No policy in team-b yet: the default (--no-policy allow) admits.
    expect(
      (await plane.client.create('/api/v1/namespaces/team-b/pods', pod('before', UNSIGNED, 'team-b'))).status,
    ).toBe(201);
    for (const resource of policiesIn('team-b'))
      await plane.client.mustCreate(collectionPath(resource), resource);
    await waitForPolicies('team-b');
    const after = await plane.client.create(
      '/api/v1/namespaces/team-b/pods',
      pod('after', UNSIGNED, 'team-b'),
    );
    expect(after.status).toBe(403);
    expect((after.json as Any).message).toContain(
      `Signet denied Pod team-b/after: 1 image failed policy.\nimage ${UNSIGNED}:\n` +
        `  - GenericAttestationPolicy team-b/${GUIDE.attestor}-policy: no attestation`,
    );
  });

  it("never sends a namespace labelled kritis-validation=disabled to the webhook (the guide's opt-out)", async () => {
    await createNamespace('opted-out', { 'kritis-validation': 'disabled' });
    for (const resource of policiesIn('opted-out'))
      await plane.client.mustCreate(collectionPath(resource), resource);
    await waitForPolicies('opted-out');
    const before = await decisions();
    const result = await plane.client.create(
      '/api/v1/namespaces/opted-out/pods',
      pod('unsigned', UNSIGNED, 'opted-out'),
    );
    expect(result.status).toBe(201);
    expect(await decisions()).toBe(before);
  });

  /** Decisions the webhook has made so far (all, or one outcome), from its Prometheus metrics. */
  async function decisions(decision?: 'allow' | 'deny'): Promise<number> {
    const text = await webhook.metrics.registry.metrics();
    return metricValue(text, 'signet_admission_decisions_total', decision ? { decision } : {});
  }

  async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await plane.client.mustCreate('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels },
    });
  }

  /** The guide's AttestationAuthority and GenericAttestationPolicy, in another namespace. */
  function policiesIn(namespace: string): KubeObject[] {
    return resources
      .filter((r) => r.kind !== 'ImageSecurityPolicy')
      .map((r) => ({ ...r, metadata: { ...r.metadata, namespace } }));
  }

  async function waitForPolicies(namespace: string): Promise<void> {
    await poll(`the webhook has seen the policies of ${namespace}`, async () => {
      const sources = webhook.policies.snapshot().documents.map((d) => d.source);
      return sources.filter((source) => source.includes(`/${namespace}/`)).length === 2;
    });
  }
});
