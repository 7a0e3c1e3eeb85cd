import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../test-support/eventually.js';
import { FakeKubeApi } from '../test-support/fake-kube-api.js';
import { tempDir } from '../test-support/tmp.js';
import {
  KRITIS_GROUP,
  KRITIS_VERSION,
  kubernetesPolicySource,
  loadKubeConfig,
} from './kubernetes-policy-source.js';
import type { PolicySnapshot, PolicySource } from './policy-source.js';

const authority = (namespace: string, name: string, note: string) => ({
  apiVersion: `${KRITIS_GROUP}/${KRITIS_VERSION}`,
  kind: 'AttestationAuthority',
  metadata: { name, namespace },
  spec: { noteReference: note },
});

async function until(
  source: PolicySource,
  check: (snapshot: PolicySnapshot) => boolean,
): Promise<PolicySnapshot> {
  return eventually(() => {
    const snapshot = source.snapshot();
    return check(snapshot) && snapshot;
  }, 'the policy snapshot change');
}

describe('kubernetesPolicySource against a fake API server (real list/watch wire format)', () => {
  let api: FakeKubeApi;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let source: PolicySource | undefined;
  let kubeconfig: string;

  beforeEach(async () => {
    dir = await tempDir('kube');
    api = new FakeKubeApi();
    await api.start();
    kubeconfig = api.writeKubeconfig(`${dir.path}/kubeconfig`);
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    await api.stop();
    await dir.remove();
  });

  it('is not ready until every kind has been listed, then holds the listed resources', async () => {
    api.put('attestationauthorities', authority('team-a', 'qa', 'projects/p'));
    api.missing.add('imagesecuritypolicies');
    source = kubernetesPolicySource({ kubeconfig, retryDelayMs: 50 });
    expect(source.readiness().ready).toBe(false);
    await source.start();
    const readiness = source.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons).toEqual([expect.stringMatching(/^ImageSecurityPolicy not listed yet/)]);

    api.missing.delete('imagesecuritypolicies');
    const started = source;
    await eventually(() => started.readiness().ready, 'readiness');
    expect(source.readiness()).toEqual({ ready: true, reasons: [] });
    const snapshot = source.snapshot();
    expect(snapshot.documents).toEqual([
      {
        source: 'kubernetes:AttestationAuthority/team-a/qa',
        namespace: 'team-a',
        document: expect.objectContaining({
          kind: 'AttestationAuthority',
          spec: { noteReference: 'projects/p' },
        }),
      },
    ]);
    const first = api.requests.find(
      (r) => r.path.endsWith('/attestationauthorities') && r.query.watch !== 'true',
    );
    expect(first?.authorization).toBe(`Bearer ${api.token}`);
    const watch = api.requests.find(
      (r) => r.path.endsWith('/attestationauthorities') && r.query.watch === 'true',
    );
    expect(watch?.query.resourceVersion).toBe('101');
  });

  it('follows ADDED, MODIFIED and DELETED events from the watch stream', async () => {
    source = kubernetesPolicySource({ kubeconfig });
    const changes: number[] = [];
    source.onChange((snapshot) => changes.push(snapshot.generation));
    await source.start();
    expect(source.readiness().ready).toBe(true);
    expect(source.snapshot().documents).toEqual([]);

    api.put('genericattestationpolicies', {
      apiVersion: `${KRITIS_GROUP}/${KRITIS_VERSION}`,
      kind: 'GenericAttestationPolicy',
      metadata: { name: 'gap', namespace: 'default' },
      spec: { attestationAuthorityNames: ['qa'] },
    });
    await until(source, (s) => s.documents.length === 1);

    api.put('genericattestationpolicies', {
      apiVersion: `${KRITIS_GROUP}/${KRITIS_VERSION}`,
      kind: 'GenericAttestationPolicy',
      metadata: { name: 'gap', namespace: 'default' },
      spec: { attestationAuthorityNames: ['qa', 'security'] },
    });
    const modified = await until(source, (s) =>
      JSON.stringify(s.documents[0]?.document ?? {}).includes('security'),
    );
    expect(modified.documents).toHaveLength(1);

    api.remove('genericattestationpolicies', 'default', 'gap');
    await until(source, (s) => s.documents.length === 0);
    expect(changes.length).toBeGreaterThanOrEqual(3);
  });

  it('resumes watching from the last resource version after the API server ends a watch', async () => {
    source = kubernetesPolicySource({ kubeconfig });
    await source.start();
    api.endWatches();
    await eventually(() => api.watchCount('attestationauthorities') > 0, 'a new watch');
    api.put('attestationauthorities', authority('default', 'late', 'projects/p'));
    const snapshot = await until(source, (s) => s.documents.length === 1);
    expect(snapshot.documents[0]?.source).toBe('kubernetes:AttestationAuthority/default/late');
  });

  it('survives a listener that throws: it is counted, the others are told, and the next change comes', async () => {
    const failures: unknown[] = [];
    source = kubernetesPolicySource({ kubeconfig, onFailure: (error) => failures.push(error) });
    const told: number[] = [];
    source.onChange(() => {
      throw new Error('listener broke');
    });
    source.onChange((snapshot) => told.push(snapshot.documents.length));
    await source.start();
    api.put('attestationauthorities', authority('default', 'one', 'projects/p'));
    await eventually(() => told.includes(1), 'the first change');
    api.put('attestationauthorities', authority('default', 'two', 'projects/p'));
    await eventually(() => told.includes(2), 'the change after a listener threw');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures[0]).toEqual(new Error('listener broke'));
  });

  it('loads a kubeconfig file, and refuses a missing one with an error', () => {
    expect(loadKubeConfig(kubeconfig).getCurrentCluster()?.server).toBe(api.url);
    expect(() => loadKubeConfig(`${dir.path}/nope`)).toThrow();
  });
});
