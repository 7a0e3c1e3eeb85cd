import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GUIDE_INSTALL,
  type GuideValues,
  type KubeObject,
  objectKey,
  parseObjects,
  REPO_ROOT,
  runShell,
  SIGNET_EXTRAS,
} from './guide-commands.js';
import { pinnedDigest } from './images/pin.js';
import { kubernetesSchemaProblems } from './k8s-schema.js';
import { renderKustomization } from './kustomize.js';

/** The guide's own sample values ("Set initial variables"), and a CA bundle as `kubectl config view` prints one. */
const SAMPLE_CA_BUNDLE = Buffer.from('signet sample CA bundle').toString('base64');
const GUIDE_VALUES: GuideValues = {
  K8S_NAMESPACE: 'kritis',
  GCP_PROJECT: 'your-gcp-project-id',
  SAMPLE_CA_BUNDLE,
};
const DEPLOY = join(REPO_ROOT, 'deploy');

// biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML in assertions
type Any = Record<string, any>;

function byKind(objects: KubeObject[], kind: string): Any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0] as Any;
}

async function expectSchemaValid(objects: KubeObject[]): Promise<void> {
  const problems: string[] = [];
  for (const object of objects) {
    for (const problem of await kubernetesSchemaProblems(object))
      problems.push(`${objectKey(object)}: ${problem}`);
  }
  expect(problems).toEqual([]);
}

describe("the guide's sed pipelines over deploy/", () => {
  let output: string;
  let objects: KubeObject[];
  beforeAll(() => {
    output = runShell(GUIDE_INSTALL + SIGNET_EXTRAS, GUIDE_VALUES);
    objects = parseObjects(output);
  });

  it('apply exactly the expected objects, with no placeholder left', () => {
    expect(SAMPLE_CA_BUNDLE).not.toMatch(/[/]/);
    expect(output).not.toContain('${');
    expect(objects.map(objectKey).sort()).toEqual([
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration signet-resolve',
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration signet-webhook',
      'apiextensions.k8s.io/v1 CustomResourceDefinition attestationauthorities.kritis.grafeas.io',
      'apiextensions.k8s.io/v1 CustomResourceDefinition genericattestationpolicies.kritis.grafeas.io',
      'apiextensions.k8s.io/v1 CustomResourceDefinition imagesecuritypolicies.kritis.grafeas.io',
      'apps/v1 Deployment kritis/signet-webhook',
      'policy/v1 PodDisruptionBudget kritis/signet-webhook',
      'rbac.authorization.k8s.io/v1 ClusterRole signet-kritis-resources-view',
      'rbac.authorization.k8s.io/v1 ClusterRole signet-webhook',
      'rbac.authorization.k8s.io/v1 ClusterRoleBinding signet-webhook',
      'rbac.authorization.k8s.io/v1 Role kritis/signet-webhook-audit',
      'rbac.authorization.k8s.io/v1 RoleBinding kritis/signet-webhook-audit',
      'v1 Namespace kritis',
      'v1 Service kritis/signet-webhook',
      'v1 ServiceAccount kritis/signet-webhook',
    ]);
  });

  it('produce objects that validate against the Kubernetes OpenAPI schemas (types, enums, unknown fields)', async () => {
    await expectSchemaValid(objects);
  });

  it('the schema check itself refuses a wrong enum, a wrong type and an unknown field', async () => {
    const deployment = structuredClone(byKind(objects, 'Deployment')) as KubeObject & Any;
    deployment.spec.replicas = 'two';
    deployment.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    deployment.spec.template.spec.containers[0].readinesProbe = {};
    const problems = await kubernetesSchemaProblems(deployment);
    expect(problems).toEqual([
      'data/spec/replicas must be integer, data/spec/template/spec/containers/0/imagePullPolicy must be equal to one of the allowed values',
      '.spec.template.spec.containers[0].readinesProbe: field not declared in schema',
    ]);
  });

  it('register a v1 webhook for every reviewed kind under its real group, failing closed outside kube-system and its own namespace', () => {
    const webhooks = byKind(objects, 'ValidatingWebhookConfiguration').webhooks as Any[];
    expect(webhooks).toHaveLength(1);
    const [hook] = webhooks as [Any];
    expect(hook.name.split('.').length).toBeGreaterThanOrEqual(3);
    expect(hook.admissionReviewVersions).toEqual(['v1']);
    expect(hook.sideEffects).toBe('None');
    expect(hook.failurePolicy).toBe('Fail');
    expect(hook.timeoutSeconds).toBeGreaterThanOrEqual(1);
    expect(hook.timeoutSeconds).toBeLessThanOrEqual(30);
    expect(hook.clientConfig).toEqual({
      service: { name: 'signet-webhook', namespace: 'kritis', path: '/validate', port: 443 },
      caBundle: SAMPLE_CA_BUNDLE,
    });
    expect(hook.namespaceSelector.matchExpressions).toEqual([
      { key: 'kritis-validation', operator: 'NotIn', values: ['disabled'] },
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kritis'] },
    ]);
    const reviewed = (hook.rules as Any[]).flatMap((rule) =>
      (rule.resources as string[]).map(
        (resource) =>
          `${rule.apiGroups.join()}/${rule.apiVersions.join()} ${resource} ${rule.operations.join('+')}`,
      ),
    );
    expect(reviewed.sort()).toEqual([
      '/v1 pods CREATE+UPDATE',
      '/v1 pods/ephemeralcontainers CREATE+UPDATE',
      '/v1 podtemplates CREATE+UPDATE',
      '/v1 replicationcontrollers CREATE+UPDATE',
      'apps/v1 daemonsets CREATE+UPDATE',
      'apps/v1 deployments CREATE+UPDATE',
      'apps/v1 replicasets CREATE+UPDATE',
      'apps/v1 statefulsets CREATE+UPDATE',
      'batch/v1 cronjobs CREATE+UPDATE',
      'batch/v1 jobs CREATE+UPDATE',
    ]);
  });

  it('register the resolve hook beside it: /mutate on the same Service, Pods only, the same exclusions, failing closed, reinvoked', () => {
    const [validation] = byKind(objects, 'ValidatingWebhookConfiguration').webhooks as [Any];
    const webhooks = byKind(objects, 'MutatingWebhookConfiguration').webhooks as Any[];
    expect(webhooks).toHaveLength(1);
    const [hook] = webhooks as [Any];
    expect(hook.name).toBe('signet-resolve-hook.grafeas.io');
    expect(hook.name).not.toBe(validation.name);
    expect(hook.admissionReviewVersions).toEqual(['v1']);
    expect(hook.sideEffects).toBe('None');
    expect(hook.failurePolicy).toBe('Fail');
    expect(hook.reinvocationPolicy).toBe('IfNeeded');
    expect(hook.matchPolicy).toBe(validation.matchPolicy);
    expect(hook.timeoutSeconds).toBeGreaterThanOrEqual(1);
    expect(hook.timeoutSeconds).toBeLessThanOrEqual(30);
    expect(hook.clientConfig).toEqual({
      service: { ...validation.clientConfig.service, path: '/mutate' },
      caBundle: SAMPLE_CA_BUNDLE,
    });
    expect(hook.namespaceSelector).toEqual(validation.namespaceSelector);
    // --resolve-tags pods (the default): controllers' templates are never changed, so GitOps sees no drift.
    expect(hook.rules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'pods/ephemeralcontainers'],
        scope: 'Namespaced',
      },
    ]);
  });

  it('run 2 hardened replicas with probes, limits, anti-affinity, a PDB and scrape annotations', () => {
    const deployment = byKind(objects, 'Deployment');
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers as [Any];
    expect(deployment.spec.replicas).toBe(2);
    expect(
      pod.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm,
    ).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
    });
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(pod.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/scheme': 'https',
      'prometheus.io/port': '8443',
      'prometheus.io/path': '/metrics',
    });
    expect(container.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);

    const pdb = byKind(objects, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const service = byKind(objects, 'Service');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
  });

  it('serve the mounted Secret with the webhook (apps/webhook/src/cli/deploy-args.test.ts parses the arguments)', () => {
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    const [container] = pod.containers as [Any];
    expect(container.args).toEqual(
      expect.arrayContaining([
        '--tls-cert=/var/run/signet/tls/tls.crt',
        '--tls-key=/var/run/signet/tls/tls.key',
      ]),
    );
    const tlsMount = (container.volumeMounts as Any[]).find((m) => m.mountPath === '/var/run/signet/tls');
    const tlsVolume = (pod.volumes as Any[]).find((v) => v.name === tlsMount?.name);
    expect(tlsVolume?.secret.secretName).toBe('signet-webhook-tls');
    expect(pod.serviceAccountName).toBe(byKind(objects, 'ServiceAccount').metadata.name);
  });

  it('grant only get/list/watch on the Kritis resources (and what the audit reads), bound to the webhook’s service account, with Workload Identity', () => {
    const roles = objects.filter((o) => o.kind === 'ClusterRole') as Any[];
    const crdPlurals = objects
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((crd) => (crd as Any).spec.names.plural);
    const kritis = {
      apiGroups: ['kritis.grafeas.io'],
      resources: [...crdPlurals].sort(),
      verbs: ['get', 'list', 'watch'],
    };
    // The audit of running Pods (monitoring.test.ts checks its Lease Role): read Pods, write Events only.
    const audit = [
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    ];
    for (const role of roles) {
      expect(role.rules).toEqual(role.metadata.name === 'signet-webhook' ? [kritis, ...audit] : [kritis]);
    }
    const binding = byKind(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'signet-webhook',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'signet-webhook', namespace: 'kritis' },
    ]);
    expect(byKind(objects, 'ServiceAccount').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'signet-webhook@your-gcp-project-id.iam.gserviceaccount.com',
    });
  });
});

describe('kubectl apply -k deploy/', () => {
  it('renders the same objects as the sed pipelines (namespace signet, project my-gcp-project), caBundle aside, the image pinned by digest', () => {
    const sedObjects = parseObjects(
      runShell(GUIDE_INSTALL + SIGNET_EXTRAS, {
        K8S_NAMESPACE: 'signet',
        GCP_PROJECT: 'my-gcp-project',
        SAMPLE_CA_BUNDLE,
      }),
    );
    for (const object of sedObjects) {
      if (object.kind.endsWith('WebhookConfiguration')) {
        for (const hook of object.webhooks as Any[]) delete hook.clientConfig.caBundle;
      }
    }
    // The guide's sed keeps the tag; the kustomization pins the digest `pnpm images` built.
    const digest = pinnedDigest(join(DEPLOY, 'kustomization.yaml'), 'signet-webhook');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [container] = byKind(sedObjects, 'Deployment').spec.template.spec.containers as [Any];
    expect(container.image).toBe('signet-webhook:0.1.0');
    container.image = `signet-webhook@${digest}`;
    const sorted = (list: KubeObject[]) => [...list].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const rendered = renderKustomization(DEPLOY);
    expect(rendered.map(objectKey).sort()).toEqual(sedObjects.map(objectKey).sort());
    expect(sorted(rendered)).toEqual(sorted(sedObjects));
  });

  it('with the cert-manager component: an Issuer chain, a Certificate for the Service, and CA injection', async () => {
    const objects = renderKustomization(DEPLOY, ['cert-manager']);
    await expectSchemaValid(objects.filter((o) => !o.apiVersion.startsWith('cert-manager.io/')));
    const service = byKind(objects, 'Service');
    const certificates = objects.filter((o) => o.kind === 'Certificate') as Any[];
    const serving = certificates.find((c) => !c.spec.isCA);
    const ca = certificates.find((c) => c.spec.isCA);
    expect(serving?.metadata.namespace).toBe('signet');
    expect(serving?.spec.dnsNames).toContain(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    expect(serving?.spec.usages).toEqual(['digital signature', 'server auth']);
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes.map((v: Any) => v.secret?.secretName)).toContain(serving?.spec.secretName);
    const issuers = new Map(
      (objects.filter((o) => o.kind === 'Issuer') as Any[]).map((i) => [i.metadata.name, i.spec]),
    );
    expect(issuers.get(serving?.spec.issuerRef.name)).toEqual({ ca: { secretName: ca?.spec.secretName } });
    expect(issuers.get(ca?.spec.issuerRef.name)).toEqual({ selfSigned: {} });
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const webhook = byKind(objects, kind);
      expect([kind, webhook.metadata.annotations]).toEqual([
        kind,
        { 'cert-manager.io/inject-ca-from': `${serving?.metadata.namespace}/${serving?.metadata.name}` },
      ]);
      expect(webhook.webhooks[0].clientConfig.caBundle).toBeUndefined();
    }
  });

  // Issue 11 finding 4: the optional mount of the store's CA and client certificate.
  it('with the store-client-cert component: Secret signet-store-tls mounted, SIGNET_STORE_CA/CERT/KEY set', async () => {
    const objects = renderKustomization(DEPLOY, ['store-client-cert']);
    await expectSchemaValid(objects);
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    const [container] = pod.containers as [Any];
    expect(pod.volumes).toContainEqual({ name: 'store-tls', secret: { secretName: 'signet-store-tls' } });
    expect(container.volumeMounts).toContainEqual({
      name: 'store-tls',
      mountPath: '/var/run/signet/store-tls',
      readOnly: true,
    });
    for (const [name, file] of [
      ['SIGNET_STORE_CA', 'ca.crt'],
      ['SIGNET_STORE_CERT', 'tls.crt'],
      ['SIGNET_STORE_KEY', 'tls.key'],
    ]) {
      expect(container.env).toContainEqual({ name, value: `/var/run/signet/store-tls/${file}` });
    }
  });

  it('with the manage-certs component: --manage-certs, no mounted Secret, RBAC limited by resourceNames', async () => {
    const objects = renderKustomization(DEPLOY, ['manage-certs']);
    await expectSchemaValid(objects);
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    const [container] = pod.containers as [Any];
    expect(container.args).toContain('--manage-certs');
    expect(container.args.some((a: string) => a.startsWith('--tls-'))).toBe(false);
    expect(pod.volumes.map((v: Any) => v.name)).toEqual(['tmp']);
    expect(container.env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });

    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'signet-webhook-certs') as Any;
    expect(role.metadata.namespace).toBe('signet');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['signet-webhook-tls'],
        verbs: ['get', 'update'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    const clusterRole = objects.find(
      (o) => o.kind === 'ClusterRole' && o.metadata.name === 'signet-webhook-certs',
    ) as Any;
    expect(clusterRole.rules).toEqual([
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['validatingwebhookconfigurations'],
        resourceNames: [byKind(objects, 'ValidatingWebhookConfiguration').metadata.name],
        verbs: ['get', 'patch'],
      },
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
        resourceNames: [byKind(objects, 'MutatingWebhookConfiguration').metadata.name],
        verbs: ['get', 'patch'],
      },
    ]);
    for (const binding of objects.filter(
      (o) => o.metadata.name === 'signet-webhook-certs' && o.kind.endsWith('Binding'),
    ) as Any[]) {
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'signet-webhook', namespace: 'signet' },
      ]);
    }
  });
});

describe('the resolve hook and private registries', () => {
  it('the base renders the resolve hook without caBundle, in the namespace of the Service', () => {
    const objects = renderKustomization(DEPLOY);
    const [hook] = byKind(objects, 'MutatingWebhookConfiguration').webhooks as [Any];
    expect(hook.clientConfig).toEqual({
      service: { name: 'signet-webhook', namespace: 'signet', path: '/mutate', port: 443 },
    });
    expect(hook.namespaceSelector.matchExpressions[1].values).toEqual(['kube-system', 'signet']);
  });

  it('pull-secrets: get (never list or watch) on Secrets and ServiceAccounts, bound to the webhook, and the flag', async () => {
    for (const components of [['pull-secrets'], ['manage-certs', 'pull-secrets']]) {
      const objects = renderKustomization(DEPLOY, components);
      await expectSchemaValid(objects);
      const role = objects.find(
        (o) => o.kind === 'ClusterRole' && o.metadata.name === 'signet-webhook-pull-secrets',
      ) as Any;
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['secrets', 'serviceaccounts'], verbs: ['get'] },
      ]);
      const binding = objects.find(
        (o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'signet-webhook-pull-secrets',
      ) as Any;
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: role.metadata.name,
      });
      const deployment = byKind(objects, 'Deployment');
      expect(binding.subjects).toEqual([
        {
          kind: 'ServiceAccount',
          name: deployment.spec.template.spec.serviceAccountName,
          namespace: deployment.metadata.namespace,
        },
      ]);
      const [container] = deployment.spec.template.spec.containers as [Any];
      expect(container.args).toContain('--pull-secrets');
      expect(container.args).toContain('--kubernetes');
    }
  });

  it('without pull-secrets the webhook cannot read any Secret or ServiceAccount', () => {
    const objects = renderKustomization(DEPLOY, ['manage-certs']);
    const clusterRules = objects
      .filter((o) => o.kind === 'ClusterRole')
      .flatMap((role) => (role as Any).rules as Any[]);
    for (const rule of clusterRules) {
      expect(rule.resources).not.toContain('secrets');
      expect(rule.resources).not.toContain('serviceaccounts');
    }
    const [container] = byKind(objects, 'Deployment').spec.template.spec.containers as [Any];
    expect(container.args).not.toContain('--pull-secrets');
  });
});

describe('the optional components that let only the API server ask', () => {
  it('client-auth: --client-ca on the mounted Secret (apps/webhook/src/cli/deploy-args.test.ts parses the arguments)', async () => {
    for (const components of [['client-auth'], ['manage-certs', 'client-auth']]) {
      const objects = renderKustomization(DEPLOY, components);
      await expectSchemaValid(objects);
      const pod = byKind(objects, 'Deployment').spec.template.spec;
      const [container] = pod.containers as [Any];
      expect(container.args).toContain('--client-ca=/var/run/signet/client-ca/ca.crt');
      const mount = (container.volumeMounts as Any[]).find(
        (m) => m.mountPath === '/var/run/signet/client-ca',
      );
      const volume = (pod.volumes as Any[]).find((v) => v.name === mount?.name);
      expect(volume?.secret.secretName).toBe('signet-webhook-client-ca');
      expect(mount?.readOnly).toBe(true);
    }
  });

  it("network-policy: ingress to the webhook's pods on 8443 only, from the control plane", async () => {
    const objects = renderKustomization(DEPLOY, ['network-policy']);
    await expectSchemaValid(objects);
    const policy = byKind(objects, 'NetworkPolicy');
    const deployment = byKind(objects, 'Deployment');
    expect(policy.metadata.namespace).toBe(deployment.metadata.namespace);
    expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress as [Any];
    expect(rule.ports).toEqual([{ protocol: 'TCP', port: 8443 }]);
    expect(deployment.spec.template.spec.containers[0].ports[0].containerPort).toBe(8443);
    expect(rule.from).toEqual([
      { ipBlock: { cidr: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/) } },
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'konnectivity-agent' } },
      },
    ]);
  });
});
