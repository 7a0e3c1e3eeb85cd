import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUIDE_RESOURCES, type KubeObject, parseObjects, runShell } from '@signet/deploy';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { GUIDE, NOTE_NAME, signImage } from '@signet/guide-world';
import {
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
} from '@signet/registry/test-support';
import { generatePgpKey } from '@signet/signing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { metricValue } from '../test-support/metrics.js';
import { findKubeAssets } from './test-support/assets.js';
import { type ControlPlane, startControlPlane } from './test-support/control-plane.js';
import { collectionPath } from './test-support/kube-client.js';
import { kubectl } from './test-support/kubectl.js';
import { poll } from './test-support/poll.js';
import {
  applyCrd,
  registerWebhooks,
  renderInstall,
  waitUntilHookDenies,
} from './test-support/webhook-registration.js';

/**
 * Tag resolution behind a real kube-apiserver (`pnpm test:kube`, issue 22): deploy/resolve-webhook.yaml
 * and deploy/webhook.yaml registered by URL, Debian's docker-registry on loopback holding images pushed
 * with umoci and skopeo, and Pods created with the real kubectl. The API server calls /mutate, which
 * pins the tag to the registry's digest, then /validate, which judges that digest.
 */
const RESOLVE_HOOK = 'signet-resolve-hook.grafeas.io';
const VALIDATION_HOOK = 'signet-validation-hook.grafeas.io';
const VALUES = { K8S_NAMESPACE: 'signet', GCP_PROJECT: GUIDE.project, NOTE_NAME: GUIDE.attestor };
const NEVER_SIGNED = `sha256:${'0'.repeat(64)}`;

// biome-ignore lint/suspicious/noExplicitAny: walking API objects in assertions
type Any = Record<string, any>;

function pod(name: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'app', image }] },
  };
}

describe('kubectl run with a tag, behind a real kube-apiserver and docker-registry (pnpm test:kube)', () => {
  let dir: string;
  let plane: ControlPlane;
  let registry: RunningRegistry;
  let store: MetadataStore;
  let webhook: RunningWebhook;
  let installed: KubeObject[];
  let signedDigest: string;
  let unsignedDigest: string;

  beforeAll(async () => {
    const assets = findKubeAssets();
    dir = await mkdtemp(join(tmpdir(), 'signet-kube-resolve-'));
    plane = await startControlPlane(assets, dir);
    installed = renderInstall(VALUES);
    for (const crd of installed.filter((o) => o.kind === 'CustomResourceDefinition'))
      await applyCrd(plane.client, crd);

    // Two images by tag in an anonymous plain-HTTP registry: app:v1 gets signed, app:unsigned never.
    registry = await startRegistry(join(dir, 'registry'), { kind: 'anonymous' });
    const layout = await makeLayout(dir);
    await push(layout, 'single', `${registry.host}/app:v1`);
    await push(layout, 'other', `${registry.host}/app:unsigned`);
    signedDigest = (await skopeoDigests(`${registry.host}/app:v1`)).raw;
    unsignedDigest = (await skopeoDigests(`${registry.host}/app:unsigned`)).raw;

    // The guide's key, note and policies; the signature is stored before /validate first asks.
    const key = await generatePgpKey({ name: 'Signet Release', email: 'release@example.com' });
    const storeUrl = `sqlite:${join(dir, 'metadata.db')}`;
    store = await openMetadataStore(storeUrl, { api: 'v1' });
    await store.createNote(GUIDE.project, GUIDE.attestor, {
      kind: 'ATTESTATION',
      humanReadableName: 'QA attestor',
    });
    await signImage(store, `${registry.host}/app@${signedDigest}`, key.privateKey, key.fingerprint);
    await writeFile(join(dir, 'key.pub'), key.publicKey);
    const resources = parseObjects(
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
      resolve: { mode: 'pods', registry: { insecureRegistries: [registry.host] } },
    });
    await poll('the webhook has listed the policies', async () => webhook.policies.readiness().ready);

    await registerWebhooks(
      plane.client,
      installed,
      ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
      { url: webhook.url, caPem: plane.pki.caPem },
    );
    // Each hook denies its own probe once the API server calls it: an unknown tag, a digest never signed.
    await waitUntilHookDenies(plane.client, RESOLVE_HOOK, pod('probe', `${registry.host}/app:probe`));
    await waitUntilHookDenies(
      plane.client,
      VALIDATION_HOOK,
      pod('probe', `${registry.host}/app@${NEVER_SIGNED}`),
    );
  }, 300_000);

  afterAll(async () => {
    await webhook?.stop();
    await store?.close();
    await registry?.stop();
    await plane?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const readPod = (name: string) => plane.client.get(`/api/v1/namespaces/default/pods/${name}`);
  const mutations = async (reason: string) =>
    metricValue(await webhook.metrics.registry.metrics(), 'signet_mutation_decisions_total', { reason });

  it('registers both hooks from deploy/, by URL with the serving CA, /mutate before /validate', async () => {
    const base = '/apis/admissionregistration.k8s.io/v1';
    const mutating = (await plane.client.get(`${base}/mutatingwebhookconfigurations/signet-resolve`))
      .json as Any;
    const validating = (await plane.client.get(`${base}/validatingwebhookconfigurations/signet-webhook`))
      .json as Any;
    const [resolveHook] = mutating.webhooks as [Any];
    const [validationHook] = validating.webhooks as [Any];
    expect(resolveHook).toMatchObject({
      name: RESOLVE_HOOK,
      clientConfig: { url: `${webhook.url}/mutate` },
      failurePolicy: 'Fail',
      reinvocationPolicy: 'IfNeeded',
      rules: [expect.objectContaining({ resources: ['pods', 'pods/ephemeralcontainers'] })],
    });
    expect(validationHook).toMatchObject({
      name: VALIDATION_HOOK,
      clientConfig: { url: `${webhook.url}/validate` },
    });
    for (const hook of [resolveHook, validationHook])
      expect(Buffer.from(hook.clientConfig.caBundle, 'base64').toString()).toBe(plane.pki.caPem);
  });

  it('kubectl run with a signed tag: the Pod is stored pinned to the digest skopeo reports, and admitted', async () => {
    const before = await mutations('pinned');
    const run = await kubectl(plane.kubeconfigFile, ['run', 'x', `--image=${registry.host}/app:v1`]);
    expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'pod/x created\n' });
    const stored = (await readPod('x')).json as Any;
    expect(stored.spec.containers[0].image).toBe(`${registry.host}/app:v1@${signedDigest}`);
    expect(await mutations('pinned')).toBe(before + 1);
  });

  it('kubectl run with an unsigned tag: pinned by /mutate, then refused by /validate with the policy message', async () => {
    const run = await kubectl(plane.kubeconfigFile, ['run', 'y', `--image=${registry.host}/app:unsigned`]);
    expect(run.code).toBe(1);
    const pinned = `${registry.host}/app:unsigned@${unsignedDigest}`;
    expect(run.stderr).toContain(
      `Error from server (Forbidden): admission webhook "${VALIDATION_HOOK}" denied the request: ` +
        'Signet denied Pod default/y: 1 image failed policy.\n' +
        `image ${pinned}:\n` +
        `  - GenericAttestationPolicy default/${GUIDE.attestor}-policy: no attestation by AttestationAuthority ` +
        `${GUIDE.attestor} (note ${NOTE_NAME})`,
    );
    expect((await readPod('y')).status).toBe(404);
  });

  it("kubectl run with an unknown tag: the create fails with the registry's 404, from the resolve hook", async () => {
    const before = await mutations('registry-error');
    const run = await kubectl(plane.kubeconfigFile, ['run', 'z', `--image=${registry.host}/app:nope`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `Error from server (Forbidden): admission webhook "${RESOLVE_HOOK}" denied the request: ` +
        `Signet could not pin an image by digest: ${registry.host}/app:nope (registry ${registry.host}, HTTP 404)`,
    );
    expect(run.stderr).toContain('fix: check the image name and tag');
    expect(await mutations('registry-error')).toBe(before + 1);
    expect((await readPod('z')).status).toBe(404);
  });
});
