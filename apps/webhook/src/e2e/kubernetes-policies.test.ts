import { join } from 'node:path';
import { GUIDE } from '@signet/guide-world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KRITIS_GROUP,
  KRITIS_VERSION,
  kubernetesPolicySource,
} from '../policies/kubernetes-policy-source.js';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { eventually } from '../test-support/eventually.js';
import { FakeKubeApi } from '../test-support/fake-kube-api.js';
import { httpsRequest } from '../test-support/https-client.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';

interface Answer {
  response: { allowed: boolean; status?: { message: string } };
}

describe('--kubernetes: policies from the cluster through list+watch (fake API server, real wire format)', () => {
  let world: E2eWorld;
  let api: FakeKubeApi;
  let webhook: RunningWebhook;

  const resource = (kind: string, name: string, spec: unknown) => ({
    apiVersion: `${KRITIS_GROUP}/${KRITIS_VERSION}`,
    kind,
    metadata: { name, namespace: GUIDE.namespace, uid: `uid-${name}` },
    spec,
  });

  beforeAll(async () => {
    world = await createE2eWorld();
    api = new FakeKubeApi();
    await api.start();
    api.put(
      'attestationauthorities',
      resource('AttestationAuthority', GUIDE.attestor, {
        noteReference: `projects/${GUIDE.project}`,
        publicKeyData: Buffer.from(world.guide.publicKey).toString('base64'),
      }),
    );
    api.put(
      'genericattestationpolicies',
      resource('GenericAttestationPolicy', 'require-qa', { attestationAuthorityNames: [GUIDE.attestor] }),
    );
    api.missing.add('imagesecuritypolicies'); // the CRD is "not installed" yet
    webhook = await world.startWebhook({
      policies: {
        from: 'source',
        source: kubernetesPolicySource({ kubeConfig: api.kubeConfig(), retryDelayMs: 50 }),
      },
    });
  });
  afterAll(async () => {
    await world?.close();
    await api?.stop();
  });

  const pod = (image: string) =>
    rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image);

  it('is not ready until every kind has been listed once', async () => {
    const notReady = await httpsRequest(`${webhook.url}/readyz`, { ca: world.cert.certPem });
    expect(notReady.status).toBe(503);
    expect((notReady.json as { reasons: string[] }).reasons[0]).toMatch(
      /^ImageSecurityPolicy not listed yet/,
    );
    api.missing.delete('imagesecuritypolicies');
    await eventually(
      async () => (await httpsRequest(`${webhook.url}/readyz`, { ca: world.cert.certPem })).status === 200,
      'readiness',
    );
  });

  it('admits a signed pod and denies an unsigned one with the listed resources', async () => {
    expect(((await world.post(webhook, pod(pinned('ok/img')))).json as Answer).response.allowed).toBe(true);
    const denied = (await world.post(webhook, pod(pinned('bad/img')))).json as Answer;
    expect(denied.response.allowed).toBe(false);
    expect(denied.response.status?.message).toMatch(/no attestation by AttestationAuthority qa-attestor/);
  });

  it('follows watch events: an allowlist added to the policy admits the unsigned image', async () => {
    api.put(
      'genericattestationpolicies',
      resource('GenericAttestationPolicy', 'require-qa', {
        attestationAuthorityNames: [GUIDE.attestor],
        admissionAllowlistPatterns: [{ namePattern: 'registry.example/e2e/**' }],
      }),
    );
    await eventually(
      async () => ((await world.post(webhook, pod(pinned('bad/img')))).json as Answer).response.allowed,
      'the allowlist taking effect',
    );
  });

  it('fails the namespace closed when a resource in the cluster is invalid', async () => {
    api.put(
      'imagesecuritypolicies',
      resource('ImageSecurityPolicy', 'typo', {
        packageVulnerabilityRequirements: { maximumSeverity: 'SEVERE' },
      }),
    );
    const answer = await eventually(async () => {
      const reply = (await world.post(webhook, pod(pinned('ok/img')))).json as Answer;
      return !reply.response.allowed && reply;
    }, 'the namespace failing closed');
    expect(answer.response.allowed).toBe(false);
    expect(answer?.response.status?.message).toMatch(/typo/);
    expect(answer?.response.status?.message).toMatch(/maximumSeverity/);
    api.remove('imagesecuritypolicies', GUIDE.namespace, 'typo');
  });

  it('works the same from a kubeconfig file, as --kubernetes --kubeconfig FILE does', async () => {
    const kubeconfig = api.writeKubeconfig(join(world.dir, 'kubeconfig.yaml'));
    const fromFile = await world.startWebhook({ policies: { from: 'kubernetes', kubeconfig } });
    expect((await httpsRequest(`${fromFile.url}/readyz`, { ca: world.cert.certPem })).status).toBe(200);
    const denied = (await world.post(fromFile, pod(`registry.example/other/app@sha256:${'e5'.repeat(32)}`)))
      .json as Answer;
    expect(denied.response.allowed).toBe(false);
    expect(((await world.post(fromFile, pod(pinned('ok/img')))).json as Answer).response.allowed).toBe(true);
    await fromFile.stop();
  });

  it('listed and watched with the service account token', () => {
    const lists = api.requests.filter((r) => r.query.watch !== 'true');
    const watches = api.requests.filter((r) => r.query.watch === 'true');
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(watches.length).toBeGreaterThanOrEqual(3);
    expect(new Set(api.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${api.token}`]));
  });
});
