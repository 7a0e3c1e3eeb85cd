import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { encodeSecretData } from '../certs/bundle.js';
import { generateCertificateBundle } from '../certs/generate.js';
import { staticPolicySource } from '../policies/policy-source.js';
import { createLogger } from '../server/logger.js';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { eventually } from '../test-support/eventually.js';
import { FakeKubeApi } from '../test-support/fake-kube-api.js';
import { httpsRequest } from '../test-support/https-client.js';
import { parseCli } from '../test-support/parse-cli.js';
import {
  APP_DIR,
  listeningUrl,
  type SpawnedWebhook,
  spawnWebhook as spawnShared,
} from '../test-support/spawn-webhook.js';
import { tempDir } from '../test-support/tmp.js';
import { buildProgram } from './program.js';

const NAMESPACE = 'signet';
const SERVICE_DNS = 'signet-webhook.signet.svc';
const SECRET_KEY = `${NAMESPACE}/signet-webhook-tls`;
const SECRETS_PATH = `/api/v1/namespaces/${NAMESPACE}/secrets`;

let api: FakeKubeApi;
let tmp: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  api = new FakeKubeApi();
  await api.start();
  api.addWebhookConfig({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'signet-webhook' },
    webhooks: [
      {
        name: 'images.signet.grafeas.io',
        clientConfig: { service: { name: 'signet-webhook', namespace: NAMESPACE } },
      },
    ],
  });
  tmp = await tempDir('manage-certs');
});

afterEach(async () => {
  await api.stop();
  await tmp.remove();
});

/** A kubeconfig file pointing at the fake API server, as `kubectl config view --raw` writes one. */
async function kubeconfigFile(token?: string, namespace?: string): Promise<string> {
  return api.writeKubeconfig(join(tmp.path, 'kubeconfig'), token, namespace);
}

function secretPem(key: string): string {
  const data = api.secrets.get(SECRET_KEY)?.data as Record<string, string> | undefined;
  return Buffer.from(data?.[key] ?? '', 'base64').toString('utf8');
}

function caBundle(configs = api.webhookConfigs, name = 'signet-webhook'): string {
  const config = configs.get(name) as unknown as {
    webhooks: { clientConfig: { caBundle?: string } }[];
  };
  return Buffer.from(config.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
}

/** deploy/resolve-webhook.yaml's MutatingWebhookConfiguration, with an empty caBundle. */
function addResolveHook(): void {
  api.addWebhookConfig({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'signet-resolve' },
    webhooks: [
      {
        name: 'signet-resolve-hook.grafeas.io',
        clientConfig: { service: { name: 'signet-webhook', namespace: NAMESPACE, path: '/mutate' } },
      },
    ],
  });
}

function spawnWebhook(args: string[], env: NodeJS.ProcessEnv = { POD_NAMESPACE: NAMESPACE }): SpawnedWebhook {
  return spawnShared(args, { HOME: tmp.path, KUBERNETES_SERVICE_HOST: '', POD_NAMESPACE: '', ...env });
}

async function listeningPort(spawned: SpawnedWebhook): Promise<number> {
  return Number(new URL(await listeningUrl(spawned)).port);
}

function common(): string[] {
  return [
    '--policies',
    tmp.path,
    '--store',
    `sqlite:${join(tmp.path, 'metadata.db')}`,
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--shutdown-delay',
    '0s',
  ];
}

describe('signet-webhook --manage-certs (a real process against a fake Kubernetes API over HTTPS)', () => {
  it('creates the Secret, patches the caBundle, and serves a certificate for NAME.NAMESPACE.svc that chains to it', async () => {
    const spawned = spawnWebhook([...common(), '--manage-certs', '--kubeconfig', await kubeconfigFile()]);
    try {
      const port = await listeningPort(spawned);
      expect(api.count('POST', SECRETS_PATH, 201)).toBe(1);
      const caPem = secretPem('ca.crt');
      expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(caBundle()).toBe(caPem);
      expect(api.count('PATCH', '/apis/admissionregistration.k8s.io/', 200)).toBe(1);

      const healthz = await httpsRequest(`https://127.0.0.1:${port}/healthz`, {
        ca: caPem,
        agent: new Agent({ servername: SERVICE_DNS }),
      });
      expect(healthz.status).toBe(200);
      const served = new X509Certificate(secretPem('tls.crt'));
      expect(healthz.fingerprint).toBe(served.fingerprint256);
      expect(served.checkHost(SERVICE_DNS)).toBe(SERVICE_DNS);

      // The same request for a name the certificate does not carry is refused: the check above is real.
      const wrongName = await httpsRequest(`https://127.0.0.1:${port}/healthz`, {
        ca: caPem,
        agent: new Agent({ servername: 'other.signet.svc' }),
      }).catch((error: NodeJS.ErrnoException) => error.code);
      expect(wrongName).toBe('ERR_TLS_CERT_ALTNAME_INVALID');

      spawned.child.kill('SIGTERM');
      expect(await spawned.exited).toBe(0);
      expect(spawned.stdout()).toContain('"outcome":"created"');
      // The resolve hook is not installed here: said once, and the webhook serves anyway.
      expect(spawned.stdout()).toContain(
        'MutatingWebhookConfiguration signet-resolve does not exist, so no caBundle was set on it',
      );
    } finally {
      spawned.child.kill('SIGKILL');
    }
  });

  it('patches the resolve hook’s MutatingWebhookConfiguration too, named by --mutating-webhook-config', async () => {
    addResolveHook();
    const spawned = spawnWebhook([...common(), '--manage-certs', '--kubeconfig', await kubeconfigFile()]);
    try {
      await listeningPort(spawned);
      const caPem = secretPem('ca.crt');
      expect(caBundle()).toBe(caPem);
      expect(caBundle(api.mutatingWebhookConfigs, 'signet-resolve')).toBe(caPem);
      expect(spawned.stdout()).not.toContain('does not exist');
    } finally {
      spawned.child.kill('SIGKILL');
    }
  });

  it('exits 2 with a usage error when --manage-certs is combined with --tls-cert/--tls-key', async () => {
    const spawned = spawnWebhook([
      ...common(),
      '--manage-certs',
      '--tls-cert',
      'c.pem',
      '--tls-key',
      'k.pem',
    ]);
    expect(await spawned.exited).toBe(2);
    expect(spawned.stderr()).toContain('error: --manage-certs excludes --tls-cert and --tls-key');
    expect(api.requests).toEqual([]);
  });

  it('exits 1 naming the refused call and the RBAC to grant when the service account may not read the Secret', async () => {
    api.forbid('GET', SECRETS_PATH);
    const spawned = spawnWebhook([...common(), '--manage-certs', '--kubeconfig', await kubeconfigFile()]);
    expect(await spawned.exited).toBe(1);
    expect(spawned.stderr()).toContain(
      'signet-webhook: could not read Secret signet/signet-webhook-tls: HTTP 403 Forbidden: secrets is forbidden',
    );
    expect(spawned.stderr()).toContain(
      'fix: give the webhook’s service account the RBAC of deploy/manage-certs',
    );
    expect(spawned.stdout()).not.toContain('listening on');
  });

  it('exits 1 when the API server refuses the credentials (a wrong token)', async () => {
    const spawned = spawnWebhook([
      ...common(),
      '--manage-certs',
      '--kubeconfig',
      await kubeconfigFile('wrong-token'),
    ]);
    expect(await spawned.exited).toBe(1);
    expect(spawned.stderr()).toContain(
      'signet-webhook: could not read Secret signet/signet-webhook-tls: HTTP 401\n',
    );
    expect(spawned.stderr()).toContain('fix: the API server did not accept the credentials');
    expect(api.secrets.size).toBe(0);
  });

  it('outside a cluster with --kubeconfig, takes the namespace of the kubeconfig context and says so', async () => {
    // The regression of issue 19: without POD_NAMESPACE and the service account file it refused to start.
    const file = await kubeconfigFile(undefined, NAMESPACE);
    const spawned = spawnWebhook([...common(), '--manage-certs', '--kubeconfig', file], {});
    try {
      await listeningPort(spawned);
      expect(api.count('POST', SECRETS_PATH, 201)).toBe(1);
      const logged =
        /"namespace":"signet","from":"kubeconfig context [^"]+","msg":"the webhook's namespace is signet/;
      await eventually(() => logged.test(spawned.stdout()) || undefined);
    } finally {
      spawned.child.kill('SIGKILL');
    }
  });

  it('exits 1 outside a cluster without --kubeconfig', async () => {
    const outside = spawnWebhook([...common(), '--manage-certs']);
    expect(await outside.exited).toBe(1);
    expect(outside.stderr()).toContain(
      'cannot load the Kubernetes client configuration (not in a pod: KUBERNETES_SERVICE_HOST is not set)',
    );
    expect(outside.stderr()).toContain('or give --kubeconfig a readable kubeconfig file');
    expect(api.requests).toEqual([]);
  });
});

describe('the managed certificate, renewed while serving', () => {
  let running: RunningWebhook | undefined;

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('swaps the served certificate when the Secret changes, keeping open connections, and stops renewing on stop()', async () => {
    addResolveHook();
    running = await startWebhook({
      policies: { from: 'source', source: staticPolicySource([]) },
      store: `sqlite:${join(tmp.path, 'metadata.db')}`,
      manageCerts: {
        kube: api.kubeConfig(),
        namespace: NAMESPACE,
        secretName: 'signet-webhook-tls',
        serviceName: 'signet-webhook',
        webhookConfigName: 'signet-webhook',
        mutatingWebhookConfigName: 'signet-resolve',
        renewIntervalMs: 50,
      },
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ level: 'fatal' }),
    });
    const url = `https://127.0.0.1:${running.port}/healthz`;
    const oldCa = secretPem('ca.crt');
    expect(caBundle(api.mutatingWebhookConfigs, 'signet-resolve')).toBe(oldCa);
    const kept = new Agent({ servername: SERVICE_DNS, keepAlive: true, maxSockets: 1 });
    const before = await httpsRequest(url, { ca: oldCa, agent: kept });
    expect(before.status).toBe(200);

    // Another replica renewed the bundle: a new CA and certificate in the Secret.
    const renewed = await generateCertificateBundle({
      serviceName: 'signet-webhook',
      namespace: NAMESPACE,
      now: new Date(),
      validityMs: 365 * 24 * 60 * 60 * 1000,
    });
    const secret = api.secrets.get(SECRET_KEY);
    if (!secret) throw new Error('no Secret');
    api.secrets.set(SECRET_KEY, { ...secret, data: encodeSecretData({ bundle: renewed }) });

    const fresh = await eventually(async () => {
      const answer = await httpsRequest(url, {
        ca: renewed.caPem,
        agent: new Agent({ servername: SERVICE_DNS }),
      }).catch(() => undefined);
      return answer?.status === 200 ? answer : undefined;
    });
    expect(fresh.fingerprint).toBe(new X509Certificate(renewed.certPem).fingerprint256);
    expect(caBundle()).toBe(renewed.caPem);
    expect(caBundle(api.mutatingWebhookConfigs, 'signet-resolve')).toBe(renewed.caPem);
    // The connection opened before the swap still answers, with the certificate it was opened with.
    const after = await httpsRequest(url, { ca: oldCa, agent: kept });
    expect(after.status).toBe(200);
    expect(after.fingerprint).toBe(before.fingerprint);
    kept.destroy();

    // stop() resolves once a check under way has ended (making no further call); none starts after it.
    // Nothing could send after that, so this wait can only miss a bug, never race one.
    await running.stop();
    running = undefined;
    const requestsAfterStop = api.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.requests.length).toBe(requestsAfterStop);
  });
});

describe('the command line of --manage-certs', () => {
  const parse = parseCli;

  it('takes the names of the Secret, the Service and the webhook configuration, with the deploy/ defaults', async () => {
    expect((await parse(['--manage-certs'])).options?.manageCerts).toEqual({
      secretName: 'signet-webhook-tls',
      serviceName: 'signet-webhook',
      webhookConfigName: 'signet-webhook',
      mutatingWebhookConfigName: 'signet-resolve',
    });
    const named = await parse([
      '--manage-certs',
      '--cert-secret',
      'tls',
      '--service-name',
      'admission',
      '--webhook-config',
      'signet',
      '--mutating-webhook-config',
      'signet-tags',
      '--kubeconfig',
      '/k',
    ]);
    expect(named.options).toMatchObject({
      manageCerts: {
        secretName: 'tls',
        serviceName: 'admission',
        webhookConfigName: 'signet',
        mutatingWebhookConfigName: 'signet-tags',
      },
      kubeconfig: '/k',
      kubernetes: false,
      insecureHttp: false,
    });
    expect(named.options?.tlsCert).toBeUndefined();
  });

  it('accepts the arguments of deploy/manage-certs', async () => {
    const component = parseYaml(
      readFileSync(join(APP_DIR, '..', '..', 'deploy', 'manage-certs', 'kustomization.yaml'), 'utf8'),
    ) as { patches: { patch: string }[] };
    const operations = parseYaml(component.patches[0]?.patch ?? '') as { path: string; value: unknown }[];
    const args = operations.find((o) => o.path.endsWith('/args'))?.value as string[];
    expect(args).toContain('--manage-certs');
    const { options, err } = await parse(args);
    expect(err).toBe('');
    expect(options).toMatchObject({ kubernetes: true, store: 'containeranalysis', port: 8443 });
    expect(options?.manageCerts?.secretName).toBe('signet-webhook-tls');
  });

  it.each([
    [['--manage-certs', '--tls-cert', 'c.pem'], 'error: --manage-certs excludes --tls-cert and --tls-key'],
    [['--manage-certs', '--tls-key', 'k.pem'], 'error: --manage-certs excludes --tls-cert and --tls-key'],
    [['--manage-certs', '--insecure-http'], 'error: --manage-certs excludes --insecure-http'],
    [['--insecure-http', '--cert-secret', 's'], 'error: --cert-secret only makes sense with --manage-certs'],
    [
      ['--insecure-http', '--service-name', 's'],
      'error: --service-name only makes sense with --manage-certs',
    ],
    [
      ['--insecure-http', '--webhook-config', 'w'],
      'error: --webhook-config only makes sense with --manage-certs',
    ],
    [
      ['--insecure-http', '--mutating-webhook-config', 'm'],
      'error: --mutating-webhook-config only makes sense with --manage-certs',
    ],
    [['--manage-certs', '--mutating-webhook-config', 'Resolve'], 'expected a Kubernetes object name'],
    [['--manage-certs', '--cert-secret', 'Not_A_Name'], 'expected a Kubernetes object name'],
    [
      ['--insecure-http', '--kubeconfig', 'k'],
      '--kubeconfig only makes sense with --kubernetes or --manage-certs',
    ],
    [[], 'give --tls-cert and --tls-key, or --manage-certs'],
  ])('refuses %j', async (args, message) => {
    const { options, err } = await parse(args);
    expect(options).toBeUndefined();
    expect(err).toContain(message);
  });

  it('says in --help how it gets its certificates and that it must not be combined with cert-manager', async () => {
    let out = '';
    const program = buildProgram(async () => {}, { writeOut: (s) => (out += s), writeErr: () => {} });
    await program.parseAsync(['--help'], { from: 'user' }).catch(() => {});
    const help = out.replace(/\s+/g, ' ');
    expect(help).toContain('--manage-certs');
    expect(help).toContain('never combine with cert-manager');
    expect(help).toContain('--cert-secret <name>');
    expect(help).toContain('(default: "signet-webhook-tls")');
    expect(help).toContain('--webhook-config <name>');
    expect(help).toContain('--mutating-webhook-config <name>');
    expect(help).toContain('(default: "signet-resolve")');
  });
});
