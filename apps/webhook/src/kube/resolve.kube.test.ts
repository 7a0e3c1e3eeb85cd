import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUIDE_RESOURCES, type KubeObject, parseObjects, REPO_ROOT, runShell } from '@signet/deploy';
import { type MetadataStore, openMetadataStore } from '@signet/grafeas-client';
import { GUIDE, NOTE_NAME, signImage } from '@signet/guide-world';
import {
  makeLayout,
  makePki,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
  type TestPki,
  tool,
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
import { pod } from './test-support/objects.js';
import { poll } from './test-support/poll.js';
import { serviceAccountKubeconfig } from './test-support/service-account.js';
import {
  applyCrd,
  registerWebhooks,
  renderInstall,
  waitUntilHookDenies,
} from './test-support/webhook-registration.js';

/**
 * Tag resolution behind a real kube-apiserver (`pnpm test:kube`, issue 22): deploy/resolve-webhook.yaml
 * and deploy/webhook.yaml registered by URL, Debian's docker-registry on loopback holding images pushed
 * with umoci and skopeo (an anonymous plain-HTTP one, `--insecure-registry`, and a private one with
 * Basic auth over TLS, `--registry-ca`), and Pods created with the real kubectl. The API server calls
 * /mutate, which pins the tag to the registry's digest, then /validate, which judges that digest. The
 * webhook runs as its ServiceAccount with deploy/'s RBAC and deploy/pull-secrets', `--pull-secrets` on.
 */
const RESOLVE_HOOK = 'signet-resolve-hook.grafeas.io';
const VALIDATION_HOOK = 'signet-validation-hook.grafeas.io';
const VALUES = { K8S_NAMESPACE: 'signet', GCP_PROJECT: GUIDE.project, NOTE_NAME: GUIDE.attestor };
const NEVER_SIGNED = `sha256:${'0'.repeat(64)}`;
const USER = 'puller';
const PASSWORD = 'pull-secret-password';
const PULL_SECRETS_RBAC = parseObjects(
  readFileSync(join(REPO_ROOT, 'deploy', 'pull-secrets', 'rbac.yaml'), 'utf8'),
);
// What the webhook's identity needs from the install: its namespace and ServiceAccount, and their RBAC.
const IDENTITY_KINDS = [
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
];

// biome-ignore lint/suspicious/noExplicitAny: walking API objects in assertions
type Any = Record<string, any>;

describe('kubectl run with a tag, behind a real kube-apiserver and docker-registry (pnpm test:kube)', () => {
  let dir: string;
  let plane: ControlPlane;
  let registry: RunningRegistry;
  let privateRegistry: RunningRegistry;
  let pki: TestPki;
  let privateDigest: string;
  let webhookKubeconfig: string;
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

    // A private registry: Basic auth over TLS under a CA of its own, team/app:v1 pushed with the login.
    await mkdir(join(dir, 'private-pki'));
    pki = await makePki(join(dir, 'private-pki'));
    const htpasswdFile = join(dir, 'htpasswd');
    await writeFile(htpasswdFile, await tool('htpasswd', ['-Bbn', USER, PASSWORD]));
    privateRegistry = await startRegistry(join(dir, 'private-registry'), {
      kind: 'basic',
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caPem: pki.caPem },
      htpasswdFile,
    });
    const login = { creds: `${USER}:${PASSWORD}`, certDir: pki.certDir };
    await push(layout, 'single', `${privateRegistry.host}/team/app:v1`, login);
    privateDigest = (await skopeoDigests(`${privateRegistry.host}/team/app:v1`, login)).raw;

    // The guide's key, note and policies; the signature is stored before /validate first asks.
    const key = await generatePgpKey({ name: 'Signet Release', email: 'release@example.com' });
    const storeUrl = `sqlite:${join(dir, 'metadata.db')}`;
    store = await openMetadataStore(storeUrl, { api: 'v1' });
    await store.createNote(GUIDE.project, GUIDE.attestor, {
      kind: 'ATTESTATION',
      humanReadableName: 'QA attestor',
    });
    for (const image of [
      `${registry.host}/app@${signedDigest}`,
      `${privateRegistry.host}/team/app@${privateDigest}`,
    ])
      await signImage(store, image, key.privateKey, key.fingerprint);
    await writeFile(join(dir, 'key.pub'), key.publicKey);
    const resources = parseObjects(
      runShell(GUIDE_RESOURCES, VALUES, { cwd: dir, prelude: 'base64() { command base64 -w0 "$@"; }' }),
    );
    for (const resource of resources) await plane.client.mustCreate(collectionPath(resource), resource);

    // The webhook's identity as deploy/ installs it, with the opt-in deploy/pull-secrets; namespaces first.
    const identity = installed.filter((o) => IDENTITY_KINDS.includes(o.kind));
    identity.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    for (const object of [...identity, ...PULL_SECRETS_RBAC])
      await plane.client.mustCreate(collectionPath(object), object);
    webhookKubeconfig = await serviceAccountKubeconfig(plane, VALUES.K8S_NAMESPACE, 'signet-webhook', dir);

    webhook = await startWebhook({
      policies: { from: 'kubernetes', kubeconfig: webhookKubeconfig },
      pullSecrets: {},
      store: storeUrl,
      api: 'v1',
      project: GUIDE.project,
      tls: { certFile: plane.pki.servingCertFile, keyFile: plane.pki.servingKeyFile },
      port: 0,
      host: '127.0.0.1',
      shutdownDelayMs: 0,
      logger: pino({ level: 'silent' }),
      resolve: { mode: 'pods', registry: { insecureRegistries: [registry.host], caFile: pki.caFile } },
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
    await privateRegistry?.stop();
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

  it('kubectl create deployment with a tag: admitted as written (no drift), with a warning that its Pods are judged', async () => {
    const created = await kubectl(plane.kubeconfigFile, [
      'create',
      'deployment',
      'web',
      `--image=${registry.host}/app:unsigned`,
    ]);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    expect(created.stderr).toContain(`is named by tag in this Deployment's pod template`);
    const stored = (await plane.client.get('/apis/apps/v1/namespaces/default/deployments/web')).json as Any;
    expect(stored.spec.template.spec.containers[0].image).toBe(`${registry.host}/app:unsigned`);
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

  it('kubectl debug by tag: the ephemeral container is pinned through pods/ephemeralcontainers; an unknown tag is refused', async () => {
    const run = (...args: string[]) => kubectl(plane.kubeconfigFile, args);
    expect((await run('run', 'debugged', `--image=${registry.host}/app:v1`)).code).toBe(0);
    const debug = await run('debug', 'debugged', `--image=${registry.host}/app:v1`, '--container=shell');
    expect(debug.code, debug.stderr).toBe(0);
    const stored = (await readPod('debugged')).json as Any;
    expect(stored.spec.ephemeralContainers).toEqual([
      expect.objectContaining({ name: 'shell', image: `${registry.host}/app:v1@${signedDigest}` }),
    ]);
    const unknown = await run('debug', 'debugged', `--image=${registry.host}/app:nope`, '--container=other');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `admission webhook "${RESOLVE_HOOK}" denied the request: Signet could not pin an image by digest: ` +
        `${registry.host}/app:nope (registry ${registry.host}, HTTP 404)`,
    );
  });

  it('kubectl set image to an unsigned tag (UPDATE): pinned, refused by /validate, and the Pod keeps its image', async () => {
    expect(
      (await kubectl(plane.kubeconfigFile, ['run', 'updated', `--image=${registry.host}/app:v1`])).code,
    ).toBe(0);
    const set = await kubectl(plane.kubeconfigFile, [
      'set',
      'image',
      'pod/updated',
      `updated=${registry.host}/app:unsigned`,
    ]);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain(
      `admission webhook "${VALIDATION_HOOK}" denied the request: Signet denied Pod default/updated: 1 image failed policy.\n` +
        `image ${registry.host}/app:unsigned@${unsignedDigest}:`,
    );
    const stored = (await readPod('updated')).json as Any;
    expect(stored.spec.containers[0].image).toBe(`${registry.host}/app:v1@${signedDigest}`);
  });

  describe("a private registry: the Pod's imagePullSecrets, read by the webhook as its ServiceAccount", () => {
    const image = () => `${privateRegistry.host}/team/app:v1`;
    const withPullSecret = (name: string) =>
      `--overrides=${JSON.stringify({ apiVersion: 'v1', spec: { imagePullSecrets: [{ name }] } })}`;

    beforeAll(async () => {
      const created = await kubectl(plane.kubeconfigFile, [
        'create',
        'secret',
        'docker-registry',
        'regcred',
        `--docker-server=${privateRegistry.host}`,
        `--docker-username=${USER}`,
        `--docker-password=${PASSWORD}`,
      ]);
      expect(created, created.stderr).toMatchObject({ code: 0, stdout: 'secret/regcred created\n' });
    });

    it('the webhook may get Secrets and ServiceAccounts (deploy/pull-secrets), never list Secrets', async () => {
      const can = async (...args: string[]) =>
        (await kubectl(webhookKubeconfig, ['auth', 'can-i', ...args])).stdout.trim();
      expect(await can('get', 'secrets', '-n', 'default')).toBe('yes');
      expect(await can('get', 'serviceaccounts', '-n', 'default')).toBe('yes');
      expect(await can('list', 'secrets', '-n', 'default')).toBe('no');
    });

    it("kubectl run with imagePullSecrets: the tag is pinned with the Secret's login, and admitted", async () => {
      const run = await kubectl(plane.kubeconfigFile, [
        'run',
        'private',
        `--image=${image()}`,
        withPullSecret('regcred'),
      ]);
      expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'pod/private created\n' });
      const stored = (await readPod('private')).json as Any;
      expect(stored.spec.containers[0].image).toBe(`${image()}@${privateDigest}`);
    });

    it("without a pull secret the registry's 401 refuses the create, from the resolve hook", async () => {
      const run = await kubectl(plane.kubeconfigFile, ['run', 'anonymous', `--image=${image()}`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `Error from server (Forbidden): admission webhook "${RESOLVE_HOOK}" denied the request: ` +
          `Signet could not pin an image by digest: ${image()} (registry ${privateRegistry.host}, HTTP 401)`,
      );
      expect((await readPod('anonymous')).status).toBe(404);
    });

    it('a pull secret that does not exist is named in the denial', async () => {
      const run = await kubectl(plane.kubeconfigFile, [
        'run',
        'missing',
        `--image=${image()}`,
        withPullSecret('nosuch'),
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`admission webhook "${RESOLVE_HOOK}" denied the request: `);
      expect(run.stderr).toContain('pull secret default/nosuch was not found');
      expect((await readPod('missing')).status).toBe(404);
    });
  });
});
