import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUIDE } from '@signet/guide-world';
import {
  makeLayout,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
} from '@signet/registry/test-support';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { findKubeAssets } from './test-support/assets.js';
import { type ControlPlane, startControlPlane } from './test-support/control-plane.js';
import { cosignPublicKeyData, cosignSign } from './test-support/cosign.js';
import { collectionPath } from './test-support/kube-client.js';
import { kubectl } from './test-support/kubectl.js';
import { kritis, pod } from './test-support/objects.js';
import { poll } from './test-support/poll.js';
import {
  applyCrd,
  registerWebhooks,
  renderInstall,
  waitUntilHookDenies,
} from './test-support/webhook-registration.js';

/**
 * Cosign signatures behind a real kube-apiserver (`pnpm test:kube`, issue 23): deploy/crds.yaml
 * applied, a cosign-only AttestationAuthority and a GenericAttestationPolicy naming it created in the
 * cluster, both hooks of deploy/ registered by URL, and Debian's docker-registry holding an image signed
 * in cosign 2.x layout (with a recorded key of testdata/cosign, no cosign binary) and one never signed.
 * Pods are created with the real kubectl.
 */
const RESOLVE_HOOK = 'signet-resolve-hook.grafeas.io';
const VALIDATION_HOOK = 'signet-validation-hook.grafeas.io';
const VALUES = { K8S_NAMESPACE: 'signet', GCP_PROJECT: GUIDE.project, NOTE_NAME: GUIDE.attestor };
const NEVER_SIGNED = `sha256:${'0'.repeat(64)}`;
const sigTag = (digest: string) => `${digest.replace(':', '-')}.sig`;

// biome-ignore lint/suspicious/noExplicitAny: walking API objects in assertions
type Any = Record<string, any>;

describe('cosign signatures judged behind a real kube-apiserver and docker-registry (pnpm test:kube)', () => {
  let dir: string;
  let plane: ControlPlane;
  let registry: RunningRegistry;
  let webhook: RunningWebhook;
  let repository: string;
  let signedDigest: string;
  let unsignedDigest: string;
  const authority = () =>
    kritis('AttestationAuthority', 'build', { cosign: { publicKeyData: cosignPublicKeyData('ecdsa-p256') } });

  beforeAll(async () => {
    const assets = findKubeAssets();
    dir = await mkdtemp(join(tmpdir(), 'signet-kube-cosign-'));
    plane = await startControlPlane(assets, dir);
    const installed = renderInstall(VALUES);
    for (const crd of installed.filter((o) => o.kind === 'CustomResourceDefinition'))
      await applyCrd(plane.client, crd);

    // Two images of one repository: signet/app:v1 signed with cosign's recorded P-256 key, :unsigned never.
    registry = await startRegistry(join(dir, 'registry'), { kind: 'anonymous' });
    repository = `${registry.host}/signet/app`;
    const layout = await makeLayout(dir);
    await push(layout, 'single', `${repository}:v1`);
    await push(layout, 'other', `${repository}:unsigned`);
    signedDigest = (await skopeoDigests(`${repository}:v1`)).raw;
    unsignedDigest = (await skopeoDigests(`${repository}:unsigned`)).raw;
    const signed = await cosignSign('ecdsa-p256', { name: repository, digest: signedDigest }, registry.host);
    expect(signed.tag).toBe(sigTag(signedDigest));

    // The cluster's policy: one authority, cosign only, and one policy naming it.
    for (const resource of [
      authority(),
      kritis('GenericAttestationPolicy', 'signed', { attestationAuthorityNames: ['build'] }),
    ])
      await plane.client.mustCreate(collectionPath(resource), resource);

    webhook = await startWebhook({
      policies: { from: 'kubernetes', kubeconfig: plane.kubeconfigFile },
      // An empty store: no policy here reads Grafeas, and nothing is written to it.
      store: `sqlite:${join(dir, 'metadata.db')}`,
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
    await waitUntilHookDenies(plane.client, RESOLVE_HOOK, pod('probe', `${repository}:probe`));
    await waitUntilHookDenies(plane.client, VALIDATION_HOOK, pod('probe', `${repository}@${NEVER_SIGNED}`));
  }, 300_000);

  afterAll(async () => {
    await webhook?.stop();
    await registry?.stop();
    await plane?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const readPod = (name: string) => plane.client.get(`/api/v1/namespaces/default/pods/${name}`);
  const run = (name: string, image: string) =>
    kubectl(plane.kubeconfigFile, ['run', name, `--image=${image}`]);

  describe("deploy/crds.yaml: an AttestationAuthority needs noteReference or cosign (the CRD's anyOf)", () => {
    it('stores the cosign-only authority as written, and the webhook loads it from the cluster', async () => {
      const stored = await plane.client.get(`${collectionPath(authority())}/build`);
      expect(stored.status).toBe(200);
      expect((stored.json as Any).spec).toEqual(authority().spec);
      const loaded = webhook.policies.snapshot().documents.map((d) => d.source);
      expect(loaded.sort()).toEqual([
        'kubernetes:AttestationAuthority/default/build',
        'kubernetes:GenericAttestationPolicy/default/signed',
      ]);
    });

    it('refuses one with neither (422), saying the anyOf failed', async () => {
      const neither = kritis('AttestationAuthority', 'neither', {
        publicKeyData: cosignPublicKeyData('ecdsa-p256'),
      });
      const result = await plane.client.create(collectionPath(neither), neither);
      expect(result.status).toBe(422);
      // kube-apiserver 1.28 reports the anyOf and the first branch's missing field only.
      expect((result.json as Any).message).toBe(
        'AttestationAuthority.kritis.grafeas.io "neither" is invalid: [<nil>: Invalid value: "": ' +
          '"spec" must validate at least one schema (anyOf), spec.noteReference: Required value]',
      );
      expect((await plane.client.get(`${collectionPath(neither)}/neither`)).status).toBe(404);
    });
  });

  it('kubectl run with the cosign-signed image by digest: admitted', async () => {
    const image = `${repository}@${signedDigest}`;
    const created = await run('by-digest', image);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: 'pod/by-digest created\n' });
    expect(((await readPod('by-digest')).json as Any).spec.containers[0].image).toBe(image);
  });

  it('kubectl run with the cosign-signed tag: pinned by /mutate to the digest skopeo reports, and admitted', async () => {
    const created = await run('by-tag', `${repository}:v1`);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: 'pod/by-tag created\n' });
    const stored = (await readPod('by-tag')).json as Any;
    expect(stored.spec.containers[0].image).toBe(`${repository}:v1@${signedDigest}`);
  });

  it('kubectl run with an unsigned image of the same repository: denied, naming the repository, the .sig tag and the fix', async () => {
    const image = `${repository}@${unsignedDigest}`;
    const created = await run('unsigned', image);
    expect(created.code).toBe(1);
    expect(created.stderr).toBe(
      `Error from server (Forbidden): admission webhook "${VALIDATION_HOOK}" denied the request: ` +
        'Signet denied Pod default/unsigned: 1 image failed policy.\n' +
        `image ${image}:\n` +
        '  - GenericAttestationPolicy default/signed: no cosign signature by AttestationAuthority build: ' +
        `no signature found: tag ${sigTag(unsignedDigest)} of repository ${repository} does not exist\n` +
        `    fix: sign it: \`cosign sign --key cosign.key ${image}\` with the private key of the authority's ` +
        `cosign.publicKeyData (or \`signet sign --cosign-key cosign.key --image ${image}\`)\n`,
    );
    expect((await readPod('unsigned')).status).toBe(404);
  });

  it('kubectl run with the unsigned tag: pinned by /mutate, then denied by /validate the same way', async () => {
    const created = await run('unsigned-tag', `${repository}:unsigned`);
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(
      `admission webhook "${VALIDATION_HOOK}" denied the request: Signet denied Pod default/unsigned-tag: ` +
        `1 image failed policy.\nimage ${repository}:unsigned@${unsignedDigest}:`,
    );
    expect(created.stderr).toContain(sigTag(unsignedDigest));
    expect((await readPod('unsigned-tag')).status).toBe(404);
  });
});
