import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GUIDE_RESOURCES,
  type KubeObject,
  objectKey,
  parseObjects,
  README_CERT_MANAGER,
  README_DEPLOY,
  README_NO_RESOLVE,
  README_OPENSSL,
  README_OVERLAY,
  README_RELEASE_POLICY,
  README_WEBHOOK,
  README_WEBHOOK_INJECTED,
  REPO_ROOT,
  runShell,
} from './guide-commands.js';
import {
  COSIGN_AUTHORITY,
  RELEASE_NAMESPACE,
  writeReleasePolicies,
} from './images/test-support/release-policies.js';
import { RELEASE_NOTE } from './images/test-support/release-signer.js';
import { kubernetesSchemaProblems } from './k8s-schema.js';
import { renderKustomization } from './kustomize.js';
import { CrdValidator } from './test-support/crd-schema.js';
import { handshake } from './tls-handshake.js';

// biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML in assertions
type Any = Record<string, any>;

/** The README's commands, run for real (bash, sed, openssl) in a scratch folder that links deploy/. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-readme-'));
  symlinkSync(join(REPO_ROOT, 'deploy'), join(dir, 'deploy'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function only(objects: KubeObject[], kind: string): Any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as Any;
}

describe('README "Deploy on GKE": the deployment step', () => {
  it("applies the guide's objects with the pushed image, all valid", async () => {
    const IMAGE = `europe-west1-docker.pkg.dev/my-gcp-project/signet/signet-webhook@sha256:${'4'.repeat(64)}`;
    const values = { K8S_NAMESPACE: 'signet', GCP_PROJECT: 'my-gcp-project', IMAGE };
    const objects = parseObjects(runShell(README_DEPLOY, values, { cwd: dir }));
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'Deployment',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    for (const object of objects) {
      expect([objectKey(object), await kubernetesSchemaProblems(object)]).toEqual([objectKey(object), []]);
    }
    expect(only(objects, 'Deployment').spec.template.spec.containers[0].image).toBe(IMAGE);
  });
});

describe('README "Deploy on GKE": certificates by hand with openssl', () => {
  it('make a CA and a serving certificate with the SANs; the API server would trust it through caBundle', async () => {
    const out = runShell(README_OPENSSL, { K8S_NAMESPACE: 'signet', GCP_PROJECT: 'p' }, { cwd: dir });
    expect(out).toContain(
      '# kubectl create secret tls signet-webhook-tls -n signet --cert=server.crt --key=server.key',
    );
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    const serving = new X509Certificate(readFileSync(join(dir, 'server.crt')));
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.subjectAltName).toBe(
      'DNS:signet-webhook.signet.svc, DNS:signet-webhook.signet.svc.cluster.local',
    );
    expect(serving.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);

    const configurations = parseObjects(
      runShell(README_WEBHOOK, { K8S_NAMESPACE: 'signet', GCP_PROJECT: 'p' }, { cwd: dir }),
    );
    expect(configurations.map(objectKey)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration signet-webhook',
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration signet-resolve',
    ]);
    const caBundles = configurations.map((c) =>
      Buffer.from((c as Any).webhooks[0].clientConfig.caBundle, 'base64').toString(),
    );
    expect(caBundles).toEqual([
      readFileSync(join(dir, 'ca.crt'), 'utf8'),
      readFileSync(join(dir, 'ca.crt'), 'utf8'),
    ]);
    const [caBundle = ''] = caBundles;

    const server = createServer({
      cert: readFileSync(join(dir, 'server.crt')),
      key: readFileSync(join(dir, 'server.key')),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await handshake(port, caBundle, 'signet-webhook.signet.svc')).toBe('authorized');
      expect(await handshake(port, caBundle, 'signet-webhook.default.svc')).toBe(
        'ERR_TLS_CERT_ALTNAME_INVALID',
      );
    } finally {
      server.close();
    }
  });
});

describe('README "Deploy on GKE": cert-manager and --manage-certs', () => {
  it('the webhook step with an empty caBundle still yields valid configurations, for both hooks', async () => {
    const configurations = parseObjects(
      runShell(README_WEBHOOK_INJECTED, { K8S_NAMESPACE: 'kritis', GCP_PROJECT: 'p' }, { cwd: dir }),
    );
    expect(configurations.map((c) => [c.kind, (c as Any).webhooks[0].clientConfig])).toEqual(
      ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].map((kind, i) => [
        kind,
        {
          service: {
            name: 'signet-webhook',
            namespace: 'kritis',
            path: ['/validate', '/mutate'][i],
            port: 443,
          },
          caBundle: null,
        },
      ]),
    );
    for (const configuration of configurations) {
      expect(await kubernetesSchemaProblems(configuration)).toEqual([]);
    }
  });

  it('cert-manager by sed: Issuers and Certificates for the chosen namespace, and the CA injection annotation', () => {
    const out = runShell(README_CERT_MANAGER, { K8S_NAMESPACE: 'kritis', GCP_PROJECT: 'p' }, { cwd: dir });
    const objects = parseObjects(out);
    expect(objects.map(objectKey)).toEqual([
      'cert-manager.io/v1 Issuer signet-webhook-selfsigned',
      'cert-manager.io/v1 Certificate signet-webhook-ca',
      'cert-manager.io/v1 Issuer signet-webhook-ca',
      'cert-manager.io/v1 Certificate signet-webhook-tls',
    ]);
    const serving = objects.find((o) => o.metadata.name === 'signet-webhook-tls') as Any;
    expect(serving.spec.dnsNames).toEqual([
      'signet-webhook.kritis.svc',
      'signet-webhook.kritis.svc.cluster.local',
    ]);
    expect(out).toContain(
      '# kubectl annotate validatingwebhookconfiguration signet-webhook --overwrite cert-manager.io/inject-ca-from=kritis/signet-webhook-tls',
    );
    expect(out).toContain(
      '# kubectl annotate mutatingwebhookconfiguration signet-resolve --overwrite cert-manager.io/inject-ca-from=kritis/signet-webhook-tls',
    );
  });

  it('the kustomize overlay: the image, the Google service account and --manage-certs', async () => {
    const IMAGE = `europe-west1-docker.pkg.dev/my-gcp-project/signet/signet-webhook@sha256:${'4'.repeat(64)}`;
    const out = runShell(
      README_OVERLAY,
      { K8S_NAMESPACE: 'signet', GCP_PROJECT: 'my-gcp-project', IMAGE },
      { cwd: dir },
    );
    expect(out).toContain('# kubectl apply -k signet-install');
    const objects = renderKustomization(join(dir, 'signet-install'));
    for (const object of objects.filter((o) => !o.apiVersion.startsWith('kritis.grafeas.io'))) {
      expect([objectKey(object), await kubernetesSchemaProblems(object)]).toEqual([objectKey(object), []]);
    }
    const [container] = only(objects, 'Deployment').spec.template.spec.containers as [Any];
    expect(container.image).toBe(IMAGE);
    expect(container.args).toContain('--manage-certs');
    expect(only(objects, 'ServiceAccount').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'signet-webhook@my-gcp-project.iam.gserviceaccount.com',
    });
    const certObjects = objects.filter((o) => o.metadata.name === 'signet-webhook-certs');
    expect(certObjects.map((o) => `${o.kind} ${o.metadata.namespace ?? '(cluster)'}`).sort()).toEqual([
      'ClusterRole (cluster)',
      'ClusterRoleBinding (cluster)',
      'Role signet',
      'RoleBinding signet',
    ]);
    expect(only(objects, 'MutatingWebhookConfiguration').metadata.name).toBe('signet-resolve');
  });

  it('the overlay patch that leaves the resolve hook out: no MutatingWebhookConfiguration, the rest unchanged', () => {
    const IMAGE = `europe-west1-docker.pkg.dev/my-gcp-project/signet/signet-webhook@sha256:${'4'.repeat(64)}`;
    const values = { K8S_NAMESPACE: 'signet', GCP_PROJECT: 'my-gcp-project', IMAGE };
    runShell(README_OVERLAY, values, { cwd: dir });
    const withHook = renderKustomization(join(dir, 'signet-install'));
    const overlay = join(dir, 'signet-install', 'kustomization.yaml');
    const patch = README_NO_RESOLVE.replace(/^#.*\n/, '').replace(/^patches:\n/, '');
    writeFileSync(overlay, readFileSync(overlay, 'utf8').replace(/^patches:\n/m, `patches:\n${patch}`));
    const without = renderKustomization(join(dir, 'signet-install'));
    expect(without.map(objectKey).sort()).toEqual(
      withHook
        .filter((o) => o.kind !== 'MutatingWebhookConfiguration')
        .map(objectKey)
        .sort(),
    );
    expect(only(without, 'ValidatingWebhookConfiguration').metadata.name).toBe('signet-webhook');
  });
});

describe("the guide's custom resources, as the README gives them", () => {
  it('`publicKeyData: $(base64 key.pub)` needs an unwrapped base64: GNU base64 wraps at 76 columns and breaks the YAML', () => {
    const key = readFileSync(join(process.env.SIGNET_TESTDATA ?? '', 'kritis/integration/signer/public.key'));
    expect(key.length).toBeGreaterThan(76);
    writeFileSync(join(dir, 'key.pub'), key);
    const from = GUIDE_RESOURCES.indexOf(
      'cat <<EOF | kubectl apply -f-\napiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority',
    );
    const authority = GUIDE_RESOURCES.slice(from, GUIDE_RESOURCES.indexOf('\nEOF\n', from) + 5);
    const values = { K8S_NAMESPACE: 'x', GCP_PROJECT: 'my-gcp-project', NOTE_NAME: 'seal-of-approval' };
    expect(() => parseObjects(runShell(authority, values, { cwd: dir }))).toThrow(/YAML does not parse/);
    const readme = authority.replace('$(base64 key.pub)', '$(base64 -w0 key.pub)');
    const objects = parseObjects(runShell(readme, values, { cwd: dir }));
    expect(objects.map(objectKey)).toEqual([
      'kritis.grafeas.io/v1beta1 AttestationAuthority default/seal-of-approval',
    ]);
    expect(Buffer.from((objects[0] as Any).spec.publicKeyData, 'base64').toString()).toBe(key.toString());
  });
});

describe('the README runs what these tests run', () => {
  it.each(
    Object.entries({
      'readme-deploy.sh': README_DEPLOY,
      'readme-webhook.sh': README_WEBHOOK,
      'readme-webhook-injected.sh': README_WEBHOOK_INJECTED,
      'readme-openssl.sh': README_OPENSSL,
      'readme-cert-manager.sh': README_CERT_MANAGER,
      'readme-overlay.sh': README_OVERLAY,
      'readme-no-resolve.yaml': README_NO_RESOLVE,
      'readme-release-policy.sh': README_RELEASE_POLICY,
    }),
  )('guide-commands/%s appears in README.md word for word (after its own header comment)', (_, commands) => {
    const body = commands.replace(/^(#.*\n|\n)*/, '').trimEnd();
    expect(body.length).toBeGreaterThan(0);
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain(body);
  });
});

describe('README "Release: build, sign and admit Signet itself": the release policy', () => {
  it("is what pnpm demo:release judges with: both authorities required, the keys' files unwrapped, valid for the CRDs", () => {
    const pgp = readFileSync(join(process.env.SIGNET_TESTDATA ?? '', 'kritis/integration/signer/public.key'));
    const cosign = readFileSync(join(process.env.SIGNET_TESTDATA ?? '', 'cosign/keys/ecdsa-p256.pub'));
    writeFileSync(join(dir, 'release.key.pub'), pgp);
    writeFileSync(join(dir, 'cosign.pub'), cosign);
    const file = writeReleasePolicies(join(dir, 'policies'), dir);
    expect(file).toBe(join(dir, 'policies', RELEASE_NAMESPACE, 'release.yaml'));
    const objects = parseObjects(readFileSync(file, 'utf8'));
    const kritis = 'kritis.grafeas.io/v1beta1';
    expect(objects.map(objectKey)).toEqual([
      `${kritis} AttestationAuthority ${RELEASE_NAMESPACE}/${RELEASE_NOTE.id}`,
      `${kritis} AttestationAuthority ${RELEASE_NAMESPACE}/${COSIGN_AUTHORITY}`,
      `${kritis} GenericAttestationPolicy ${RELEASE_NAMESPACE}/signet-release`,
    ]);
    const [qa, build, policy] = objects as Any[];
    expect(qa?.spec.noteReference).toBe(`projects/${RELEASE_NOTE.project}`);
    expect(Buffer.from(qa?.spec.publicKeyData, 'base64')).toEqual(pgp);
    expect(Buffer.from(build?.spec.cosign.publicKeyData, 'base64')).toEqual(cosign);
    expect(policy?.spec.attestationAuthorityNames).toEqual([RELEASE_NOTE.id, COSIGN_AUTHORITY]);
    const crds = new CrdValidator(join(REPO_ROOT, 'deploy', 'crds.yaml'));
    expect(objects.map((object) => crds.problems(object))).toEqual([[], [], []]);
  });
});
