import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { podReview } from '@signet/guide-world';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { httpsRequest } from '../test-support/https-client.js';
import { metricValue } from '../test-support/metrics.js';
import { createCa, issueClientCert } from '../test-support/openssl-pki.js';
import { findKubeAssets } from './test-support/assets.js';
import { type ControlPlane, startControlPlane } from './test-support/control-plane.js';
import { freePort } from './test-support/process.js';

// biome-ignore lint/suspicious/noExplicitAny: walking API objects in assertions
type Any = Record<string, any>;

const PROJECT = 'signet-kube';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const SCANNED = `registry.example/team/scanned@${digest('5')}`;
const UNSCANNED = `registry.example/team/unscanned@${digest('6')}`;
const POLICY = `apiVersion: kritis.grafeas.io/v1beta1
kind: ImageSecurityPolicy
metadata:
  name: scanned-images-only
spec:
  requireScan: true
`;

/**
 * `signet-webhook --client-ca` behind a real kube-apiserver started with `--admission-control-config-file`:
 * its AdmissionConfiguration names a kubeconfig whose user for the webhook presents a client certificate
 * (the README's self-managed steps). The API server's reviews are decided; a caller without the
 * certificate gets 401 and no decision.
 */
describe('only the API server may ask (pnpm test:kube)', () => {
  let dir: string;
  let plane: ControlPlane;
  let store: MetadataStore;
  let webhook: RunningWebhook;
  let port: number;

  beforeAll(async () => {
    const assets = findKubeAssets();
    dir = await mkdtemp(join(tmpdir(), 'signet-kube-client-ca-'));
    const clientCa = await createCa(dir, 'client-ca');
    const apiserverClient = await issueClientCert(dir, clientCa, 'apiserver-signet', 'kube-apiserver');
    port = await freePort();
    const kubeconfigFile = join(dir, 'webhook-kubeconfig.yaml');
    // A webhook called by URL is matched by host:port (by `SERVICE.NAMESPACE.svc` in a cluster).
    await writeFile(
      kubeconfigFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        users: [
          {
            name: `127.0.0.1:${port}`,
            user: { 'client-certificate': apiserverClient.certFile, 'client-key': apiserverClient.keyFile },
          },
        ],
      }),
    );
    const admissionFile = join(dir, 'admission.yaml');
    await writeFile(
      admissionFile,
      JSON.stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AdmissionConfiguration',
        plugins: [
          {
            name: 'ValidatingAdmissionWebhook',
            configuration: {
              apiVersion: 'apiserver.config.k8s.io/v1',
              kind: 'WebhookAdmissionConfiguration',
              kubeConfigFile: kubeconfigFile,
            },
          },
        ],
      }),
    );
    plane = await startControlPlane(assets, dir, {
      apiserverArgs: [`--admission-control-config-file=${admissionFile}`],
    });

    store = await openMetadataStore(`sqlite:${join(dir, 'metadata.db')}`, { api: 'v1' });
    await store.createOccurrence(PROJECT, {
      kind: 'DISCOVERY',
      resourceUri: `https://${SCANNED}`,
      noteName: `projects/${PROJECT}/notes/PACKAGE_VULNERABILITY`,
      analysisStatus: 'FINISHED_SUCCESS',
    });
    const policies = join(dir, 'policies', 'default');
    await mkdir(policies, { recursive: true });
    await writeFile(join(policies, 'isp.yaml'), POLICY);
    webhook = await startWebhook({
      policies: { from: 'directory', directory: join(dir, 'policies') },
      store,
      project: PROJECT,
      tls: { certFile: plane.pki.servingCertFile, keyFile: plane.pki.servingKeyFile },
      clientCaFile: clientCa.certFile,
      port,
      host: '127.0.0.1',
      shutdownDelayMs: 0,
      logger: pino({ level: 'silent' }),
    });

    await plane.client.mustCreate('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'signet-webhook' },
      webhooks: [
        {
          name: 'signet-validation-hook.grafeas.io',
          clientConfig: {
            url: `${webhook.url}/validate`,
            caBundle: Buffer.from(plane.pki.caPem).toString('base64'),
          },
          rules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
          ],
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 10,
        },
      ],
    });
    // The API server picks the configuration up asynchronously: wait until a dry run is decided.
    await poll(async () => {
      const probe = await createPod('probe', UNSCANNED, '?dryRun=All');
      if (probe.status === 201 || probe.status === 403) return probe.status === 403;
      // 500 "failed calling webhook": the API server did not present the certificate. Keep the reason.
      throw new Error(
        `the dry run was neither admitted nor denied: ${probe.status} ${probe.text.slice(0, 600)}`,
      );
    });
  }, 300_000);

  afterAll(async () => {
    await webhook?.stop();
    await store?.close();
    await plane?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function createPod(name: string, image: string, query = '') {
    return plane.client.create(`/api/v1/namespaces/default/pods${query}`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'app', image }] },
    });
  }

  async function decisions(): Promise<number> {
    return metricValue(await webhook.metrics.registry.metrics(), 'signet_admission_decisions_total');
  }

  it("decides the API server's reviews: it presents the certificate its kubeconfig names", async () => {
    const before = await decisions();
    const denied = await createPod('unscanned', UNSCANNED);
    expect(denied.status).toBe(403);
    expect((denied.json as Any).message).toContain(
      'ImageSecurityPolicy default/scanned-images-only: the image has no vulnerability scan',
    );
    expect((await createPod('scanned', SCANNED)).status).toBe(201);
    expect(await decisions()).toBe(before + 2);
  });

  it('gives a caller without the certificate no decision (401), while the probes stay open', async () => {
    const before = await decisions();
    const forged = await httpsRequest(`${webhook.url}/validate?timeout=10s`, {
      method: 'POST',
      body: JSON.stringify(podReview({ name: 'forged', images: [SCANNED] })),
      ca: plane.pki.caPem,
      agent: new Agent({ keepAlive: false }),
    });
    expect(forged.status).toBe(401);
    expect((forged.json as Any).error.code).toBe('CLIENT_CERT_REQUIRED');
    expect(forged.text).not.toContain('AdmissionReview');
    expect(await decisions()).toBe(before);
    for (const path of ['/healthz', '/readyz']) {
      const probe = await httpsRequest(`${webhook.url}${path}`, { ca: plane.pki.caPem });
      expect([path, probe.status]).toEqual([path, 200]);
    }
  });
});

async function poll(probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting until the API server calls the webhook');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
