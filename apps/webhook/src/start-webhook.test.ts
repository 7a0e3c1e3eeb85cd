import { isSignetError } from '@signet/errors';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticPolicySource } from './policies/policy-source.js';
import { type RunningWebhook, startWebhook, type WebhookConfig } from './start-webhook.js';
import { FakeKubeApi } from './test-support/fake-kube-api.js';

const BASE: WebhookConfig = {
  policies: { from: 'source', source: staticPolicySource([]) },
  store: 'sqlite::memory:',
  insecureHttp: true,
  port: 0,
  host: '127.0.0.1',
  shutdownDelayMs: 0,
  logger: pino({ level: 'silent' }),
};

describe('startWebhook: pullSecrets', () => {
  let api: FakeKubeApi;
  let webhook: RunningWebhook | undefined;

  beforeEach(async () => {
    api = new FakeKubeApi();
    await api.start();
  });
  afterEach(async () => {
    await webhook?.stop();
    webhook = undefined;
    await api.stop();
  });

  it('has no pull secret reader unless asked', async () => {
    webhook = await startWebhook(BASE);
    expect(webhook.pullSecrets).toBeUndefined();
  });

  it('gives a reader over the connection it is given', async () => {
    api.secrets.set('team/regcred', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'regcred', namespace: 'team' },
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(
          JSON.stringify({ auths: { 'registry.example': { username: 'team', password: 'p' } } }),
        ).toString('base64'),
      },
    });
    webhook = await startWebhook({ ...BASE, pullSecrets: { kubeConfig: api.kubeConfig() } });
    const credentials = await webhook.pullSecrets?.(
      { namespace: 'team', podSpec: { imagePullSecrets: [{ name: 'regcred' }] } },
      new AbortController().signal,
    );
    expect(await credentials?.({ registry: 'registry.example', path: 'team/app' })).toMatchObject({
      username: 'team',
    });
    expect(credentials?.problems.map((p) => p.message)).toEqual([
      'ServiceAccount team/default was not found',
    ]);
  });

  it('refuses pull secrets without a Kubernetes connection to read them through', async () => {
    const error = await startWebhook({ ...BASE, pullSecrets: {} }).catch((reason: unknown) => reason);
    expect(isSignetError(error) && error.code).toBe('PULL_SECRETS_NEED_KUBERNETES');
  });
});
