import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsHandshake as handshake } from '@signet/deploy';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeKubeApi } from '../test-support/fake-kube-api.js';
import {
  DEFAULT_RENEW_BEFORE_MS,
  DEFAULT_VALIDITY_MS,
  ensureWebhookCertificates,
  type WebhookCertificates,
} from './ensure.js';
import { CertificateError } from './errors.js';
import { ABSENT_CONFIG_CHECK_MS, createCertificateRenewer } from './renewer.js';

const DAY = 24 * 60 * 60 * 1000;
const NAMESPACE = 'signet';
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/signet-webhook';
const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/signet-resolve';
const SERVICE_DNS = 'signet-webhook.signet.svc';

let api: FakeKubeApi;

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
      {
        name: 'ephemeral.signet.grafeas.io',
        clientConfig: { service: { name: 'signet-webhook', namespace: NAMESPACE }, caBundle: 'b2xk' },
      },
    ],
  });
  api.addWebhookConfig(resolveHookConfig());
});

/** The resolve hook's configuration, as deploy/resolve-webhook.yaml registers it (caBundle empty). */
function resolveHookConfig() {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'signet-resolve' },
    webhooks: [
      {
        name: 'signet-resolve-hook.grafeas.io',
        clientConfig: { service: { name: 'signet-webhook', namespace: NAMESPACE, path: '/mutate' } },
      },
    ],
  };
}

afterEach(async () => {
  await api.stop();
});

function options(now?: Date) {
  return {
    kube: api.kubeConfig(),
    namespace: NAMESPACE,
    secretName: 'signet-webhook-tls',
    serviceName: 'signet-webhook',
    webhookConfigName: 'signet-webhook',
    mutatingWebhookConfigName: 'signet-resolve',
    ...(now ? { now } : {}),
  };
}

function storedSecretData(): Record<string, string> {
  const secret = api.secrets.get(`${NAMESPACE}/signet-webhook-tls`);
  return (secret?.data ?? {}) as Record<string, string>;
}

function decode(value: string | undefined): string {
  return Buffer.from(value ?? '', 'base64').toString('utf8');
}

function caBundles(): string[] {
  const config = api.webhookConfigs.get('signet-webhook') as unknown as {
    webhooks: { clientConfig: { caBundle?: string } }[];
  };
  return config.webhooks.map((webhook) => decode(webhook.clientConfig.caBundle));
}

function resolveHookCaBundles(): string[] {
  const config = api.mutatingWebhookConfigs.get('signet-resolve') as unknown as {
    webhooks: { clientConfig: { caBundle?: string } }[];
  };
  return config.webhooks.map((webhook) => decode(webhook.clientConfig.caBundle));
}

describe('ensureWebhookCertificates: two replicas starting at once', () => {
  it('creates the Secret once; the loser of the race adopts the winner’s certificates', async () => {
    api.holdSecretReads(2);
    const results = await Promise.all([
      ensureWebhookCertificates(options()),
      ensureWebhookCertificates(options()),
    ]);

    expect(results.map((r) => r.outcome).sort()).toEqual(['adopted', 'created']);
    expect(api.count('POST', SECRETS)).toBe(2);
    expect(api.count('POST', SECRETS, 201)).toBe(1);
    expect(api.count('POST', SECRETS, 409)).toBe(1);
    expect(api.count('PUT', SECRETS)).toBe(0);
    const [first, second] = results as [WebhookCertificates, WebhookCertificates];
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
    expect(second.caPem).toBe(first.caPem);
    expect(decode(storedSecretData()['tls.crt'])).toBe(first.certPem);
    expect(decode(storedSecretData()['ca.crt'])).toBe(first.caPem);
    expect(api.secrets.get(`${NAMESPACE}/signet-webhook-tls`)?.type).toBe('kubernetes.io/tls');
  });

  it('patches the CA into every webhook’s caBundle with a JSON patch, the resolve hook’s too', async () => {
    const result = await ensureWebhookCertificates(options());
    expect(result.caBundlePem).toBe(result.caPem);
    expect(caBundles()).toEqual([result.caPem, result.caPem]);
    expect(resolveHookCaBundles()).toEqual([result.caPem]);
    expect(result.absentWebhookConfigs).toEqual([]);
    for (const path of [VWC, MWC]) {
      const patches = api.requests.filter((r) => r.method === 'PATCH' && r.path === path);
      expect([path, patches.map((p) => [p.contentType, p.status])]).toEqual([
        path,
        [['application/json-patch+json', 200]],
      ]);
    }
  });

  it('changes nothing on a restart when the stored certificates are good', async () => {
    const first = await ensureWebhookCertificates(options());
    const writesBefore = api.requests.filter((r) => r.method !== 'GET').length;
    const again = await ensureWebhookCertificates(options());
    expect(again.outcome).toBe('unchanged');
    expect(again.certPem).toBe(first.certPem);
    expect(api.requests.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
  });
});

describe('the served certificate', () => {
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function serve(certs: WebhookCertificates): Promise<number> {
    server = createServer({ cert: certs.certPem, key: certs.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('chains to the caBundle and carries the SAN NAME.NAMESPACE.svc (node TLS as the API server’s client)', async () => {
    const certs = await ensureWebhookCertificates(options());
    const port = await serve(certs);
    const caBundle = caBundles()[0] ?? '';
    expect(await handshake(port, caBundle, SERVICE_DNS)).toBe('authorized');
    expect(await handshake(port, caBundle, 'signet-webhook.signet.svc.cluster.local')).toBe('authorized');
    expect(await handshake(port, caBundle, 'other.signet.svc')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const stranger = await generateStrangerCa();
    expect(await handshake(port, stranger, SERVICE_DNS)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('verifies with openssl verify -CAfile and node’s X509Certificate', async () => {
    const certs = await ensureWebhookCertificates(options());
    dir = mkdtempSync(join(tmpdir(), 'signet-certs-'));
    writeFileSync(join(dir, 'ca.crt'), certs.caPem);
    writeFileSync(join(dir, 'tls.crt'), certs.certPem);
    const out = execFileSync(
      'openssl',
      [
        'verify',
        '-CAfile',
        join(dir, 'ca.crt'),
        '-verify_hostname',
        SERVICE_DNS,
        '-purpose',
        'sslserver',
        join(dir, 'tls.crt'),
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe(`${join(dir, 'tls.crt')}: OK`);
    const ca = new X509Certificate(certs.caPem);
    const serving = new X509Certificate(certs.certPem);
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toBe(
      'DNS:signet-webhook.signet.svc, DNS:signet-webhook.signet.svc.cluster.local, DNS:signet-webhook.signet, DNS:signet-webhook',
    );
  });
});

describe('renewal', () => {
  const start = new Date();
  const windowOpens = start.getTime() + DEFAULT_VALIDITY_MS - DEFAULT_RENEW_BEFORE_MS;

  it('keeps the certificates until the renewal window, then replaces both CA and certificate', async () => {
    const first = await ensureWebhookCertificates(options(start));
    const before = await ensureWebhookCertificates(options(new Date(windowOpens - DAY)));
    expect(before.outcome).toBe('unchanged');
    expect(before.certPem).toBe(first.certPem);

    const renewalDay = new Date(windowOpens + DAY);
    const renewed = await ensureWebhookCertificates(options(renewalDay));
    expect(renewed.outcome).toBe('renewed');
    expect(renewed.renewalReason).toBe(
      `the certificates expire at ${new Date(Date.parse(new X509Certificate(first.certPem).validTo)).toISOString()}, within the renewal window`,
    );
    expect(renewed.caPem).not.toBe(first.caPem);
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.keyPem).not.toBe(first.keyPem);
    expect(api.count('PUT', SECRETS, 200)).toBe(1);
    expect(new X509Certificate(renewed.certPem).checkIssued(new X509Certificate(renewed.caPem))).toBe(true);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(renewalDay.getTime() + DEFAULT_VALIDITY_MS - DAY);
    expect(decode(storedSecretData()['ca.crt'])).toBe(renewed.caPem);
    expect(decode(storedSecretData()['ca-previous.crt'])).toBe(first.caPem);
    // Replicas still serving the old certificate stay trusted until they reload: both CAs are in the bundle.
    expect(caBundles()).toEqual([renewed.caBundlePem, renewed.caBundlePem]);
    expect(resolveHookCaBundles()).toEqual([renewed.caBundlePem]);
    expect(renewed.caBundlePem).toBe(`${renewed.caPem.trimEnd()}\n${first.caPem.trimEnd()}\n`);

    const afterOldCaExpired = await ensureWebhookCertificates(
      options(new Date(start.getTime() + DEFAULT_VALIDITY_MS + DAY)),
    );
    expect(afterOldCaExpired.outcome).toBe('unchanged');
    expect(caBundles()).toEqual([renewed.caPem, renewed.caPem]);
    expect(resolveHookCaBundles()).toEqual([renewed.caPem]);
  });

  it('renews once when two replicas find the certificates expiring at the same moment', async () => {
    await ensureWebhookCertificates(options(start));
    api.holdSecretReads(2);
    const late = new Date(windowOpens + DAY);
    const results = await Promise.all([
      ensureWebhookCertificates(options(late)),
      ensureWebhookCertificates(options(late)),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['adopted', 'renewed']);
    expect(api.count('PUT', SECRETS, 200)).toBe(1);
    expect(api.count('PUT', SECRETS, 409)).toBe(1);
    expect(results[0]?.certPem).toBe(results[1]?.certPem);
  });

  it('replaces a Secret whose data cannot serve (missing CA key, foreign certificate)', async () => {
    api.secrets.set(`${NAMESPACE}/signet-webhook-tls`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'signet-webhook-tls', namespace: NAMESPACE, resourceVersion: '7' },
      data: { 'tls.crt': Buffer.from('not a certificate').toString('base64'), 'tls.key': '' },
    });
    const result = await ensureWebhookCertificates(options());
    expect(result.outcome).toBe('renewed');
    expect(result.renewalReason).toBe('the Secret lacks tls.key, ca.crt, ca.key');
    expect(api.count('PUT', SECRETS, 200)).toBe(1);
    expect(storedSecretData()['ca-previous.crt']).toBeUndefined();
  });

  it('keeps the type of a Secret someone created as Opaque (a Secret’s type cannot change)', async () => {
    api.secrets.set(`${NAMESPACE}/signet-webhook-tls`, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'signet-webhook-tls', namespace: NAMESPACE, resourceVersion: '7' },
      data: {},
    });
    expect((await ensureWebhookCertificates(options())).outcome).toBe('renewed');
    expect(api.secrets.get(`${NAMESPACE}/signet-webhook-tls`)?.type).toBe('Opaque');
  });

  it('the renewer reports a changed certificate once, so the server reloads its TLS context', async () => {
    const first = await ensureWebhookCertificates(options(start));
    const changes: string[] = [];
    const renewer = createCertificateRenewer(
      { ...options(), onChange: (certs) => changes.push(certs.certPem), onError: () => {} },
      first,
    );
    expect(await renewer.check(new Date(windowOpens - DAY))).toBeUndefined();
    const next = await renewer.check(new Date(windowOpens + DAY));
    expect(next?.outcome).toBe('renewed');
    expect(await renewer.check(new Date(windowOpens + 2 * DAY))).toBeUndefined();
    expect(changes).toEqual([next?.certPem]);
  });

  it('stop() waits for a check under way, which makes no further API call and reports nothing', async () => {
    const first = await ensureWebhookCertificates(options(start));
    const changes: string[] = [];
    const errors: unknown[] = [];
    const renewer = createCertificateRenewer(
      { ...options(), onChange: (certs) => changes.push(certs.certPem), onError: (e) => errors.push(e) },
      first,
    );
    const held = api.holdNextSecretRead();
    // Inside the renewal window: left alone, this check would replace the Secret and patch the caBundle.
    const checking = renewer.check(new Date(windowOpens + DAY)).then(
      () => 'finished',
      (error: Error) => error.name,
    );
    await held.arrived;
    const requestsBefore = api.requests.length;
    let stopped = false;
    const stopping = renewer.stop().then(() => {
      stopped = true;
    });
    held.release();
    expect(await checking).toBe('AbortError');
    await stopping;
    expect(stopped).toBe(true);
    expect(api.requests.slice(requestsBefore).map((r) => r.method)).toEqual(['GET']);
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('the resolve hook’s MutatingWebhookConfiguration', () => {
  it('when it does not exist: the validation hook still gets its caBundle, the result names the absent one, and a later check patches it once applied', async () => {
    api.mutatingWebhookConfigs.clear();
    const first = await ensureWebhookCertificates(options());
    expect(first.absentWebhookConfigs).toEqual([
      { kind: 'MutatingWebhookConfiguration', name: 'signet-resolve' },
    ]);
    expect(caBundles()).toEqual([first.caPem, first.caPem]);
    expect(api.requests.filter((r) => r.path === MWC).map((r) => [r.method, r.status])).toEqual([
      ['GET', 404],
    ]);

    api.addWebhookConfig(resolveHookConfig());
    const next = await ensureWebhookCertificates(options());
    expect(next.outcome).toBe('unchanged');
    expect(next.absentWebhookConfigs).toEqual([]);
    expect(resolveHookCaBundles()).toEqual([first.caPem]);
  });

  it('the renewer reports when it is applied or deleted later, once each time', async () => {
    api.mutatingWebhookConfigs.clear();
    const first = await ensureWebhookCertificates(options());
    const reported: unknown[] = [];
    const renewer = createCertificateRenewer(
      {
        ...options(),
        onChange: () => {},
        onError: () => {},
        onAbsentWebhookConfigsChange: (absent) => reported.push(absent),
      },
      first,
    );
    await renewer.check();
    expect(reported).toEqual([]);
    api.addWebhookConfig(resolveHookConfig());
    await renewer.check();
    await renewer.check();
    expect(reported).toEqual([[]]);
    expect(resolveHookCaBundles()).toEqual([first.caPem]);
    api.mutatingWebhookConfigs.clear();
    await renewer.check();
    expect(reported).toEqual([[], [{ kind: 'MutatingWebhookConfiguration', name: 'signet-resolve' }]]);
    await renewer.stop();
  });

  it('while it is absent the renewer checks every minute, not every hour, so one applied later gets its caBundle soon', async () => {
    api.mutatingWebhookConfigs.clear();
    const first = await ensureWebhookCertificates(options());
    let reportApplied: (absent: unknown) => void = () => {};
    const applied = new Promise<unknown>((resolve) => {
      reportApplied = resolve;
    });
    const renewer = createCertificateRenewer(
      { ...options(), onChange: () => {}, onError: () => {}, onAbsentWebhookConfigsChange: reportApplied },
      first,
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      renewer.start(60 * ABSENT_CONFIG_CHECK_MS);
      api.addWebhookConfig(resolveHookConfig());
      vi.advanceTimersByTime(ABSENT_CONFIG_CHECK_MS); // one minute: the check runs (on real I/O)
    } finally {
      vi.useRealTimers();
    }
    expect(await applied).toEqual([]);
    expect(resolveHookCaBundles()).toEqual([first.caPem]);
    await renewer.stop();
  });

  it('without a name for it, it is never asked for', async () => {
    const { mutatingWebhookConfigName: _, ...withoutResolveHook } = options();
    const result = await ensureWebhookCertificates(withoutResolveHook);
    expect(result.absentWebhookConfigs).toEqual([]);
    expect(api.requests.filter((r) => r.path.includes('mutatingwebhookconfigurations'))).toEqual([]);
    expect(resolveHookCaBundles()).toEqual(['']);
  });

  it('a missing ValidatingWebhookConfiguration still fails, before the resolve hook is touched', async () => {
    api.webhookConfigs.clear();
    const error = await ensureWebhookCertificates(options()).catch((e) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect(error.code).toBe('CERTS_WEBHOOK_CONFIG_NOT_FOUND');
    expect(api.requests.filter((r) => r.path === MWC)).toEqual([]);
  });

  it('a refused read (RBAC without the mutating rule) fails with the RBAC to grant, not as absent', async () => {
    api.forbid('GET', MWC);
    const error = await ensureWebhookCertificates(options()).catch((e) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect(error.code).toBe('CERTS_KUBE_API_FAILED');
    expect(error.message).toMatch(/^could not read MutatingWebhookConfiguration signet-resolve: HTTP 403/);
    expect(error.fix).toContain(
      'get/patch on its ValidatingWebhookConfiguration and its MutatingWebhookConfiguration',
    );
  });
});

describe('failures are typed errors', () => {
  it('a missing ValidatingWebhookConfiguration', async () => {
    const error = await ensureWebhookCertificates({ ...options(), webhookConfigName: 'absent' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(CertificateError);
    expect(error.code).toBe('CERTS_WEBHOOK_CONFIG_NOT_FOUND');
    expect(error.message).toBe(
      'ValidatingWebhookConfiguration absent does not exist, so its caBundle cannot be set',
    );
  });

  it('an API server that refuses the credentials', async () => {
    const kube = api.kubeConfig();
    const user = kube.getCurrentUser();
    if (user) Object.assign(user, { token: 'wrong' });
    const error = await ensureWebhookCertificates({ ...options(), kube }).catch((e) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect(error.code).toBe('CERTS_KUBE_API_FAILED');
    expect(error.message).toMatch(/^could not read Secret signet\/signet-webhook-tls: HTTP 401/);
    expect(error.fix).toMatch(/^the API server did not accept the credentials/);
  });

  it('an API server that cannot be reached', async () => {
    const unreachable = options();
    await api.stop();
    const error = await ensureWebhookCertificates(unreachable).catch((e) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect(error.code).toBe('CERTS_KUBE_API_FAILED');
    expect(error.message).toMatch(/^could not read Secret signet\/signet-webhook-tls: /);
    expect(error.fix).toBe(
      'check that the Kubernetes API server is reachable from the webhook pod and retry',
    );
  });

  it.each([
    [{ namespace: 'Bad_Namespace' }, 'namespace "Bad_Namespace" is not a Kubernetes object name'],
    [{ serviceName: '' }, 'serviceName "" is not a Kubernetes object name'],
    [
      { mutatingWebhookConfigName: 'Resolve' },
      'mutatingWebhookConfigName "Resolve" is not a Kubernetes object name',
    ],
    [
      { renewBeforeMs: 400 * DAY },
      /the renewal window \(\d+ ms\) must be positive and shorter than the validity/,
    ],
  ])('bad options %o', async (override, message) => {
    const error = await ensureWebhookCertificates({ ...options(), ...override }).catch((e) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect(error.code).toBe('CERTS_INVALID_OPTIONS');
    expect(error.message).toMatch(message);
    expect(api.requests).toEqual([]);
  });
});

async function generateStrangerCa(): Promise<string> {
  const { generateCertificateBundle } = await import('./generate.js');
  const other = await generateCertificateBundle({
    serviceName: 'signet-webhook',
    namespace: NAMESPACE,
    now: new Date(),
    validityMs: DAY,
  });
  return other.caPem;
}
