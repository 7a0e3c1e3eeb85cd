import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { NamespacePolicies } from './resource-types.js';
import { readAdmissionReview } from './test-support/kritis.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { gap } from './test-support/resources.js';

/** The captured requests, judged by a policy that admits `ok/...` images by name and nothing else. */
const policies: NamespacePolicies = {
  authorities: [],
  genericAttestationPolicies: [
    gap('ok-only', {
      attestationAuthorityNames: ['nobody'],
      admissionAllowlistPatterns: [{ namePattern: 'docker.io/ok/*' }, { namePattern: 'registry.example/ok' }],
    }),
  ],
  imageSecurityPolicies: [],
  invalid: [],
};

describe('decisions on real AdmissionReview requests', () => {
  it.each([
    ['k8s-1.24/01-Pod-CREATE.json', true, []],
    ['k8s-1.24/02-Pod-CREATE.json', false, ['registry.example/bad:1']],
    ['k8s-1.24/03-Deployment-CREATE.json', false, ['bad/img']],
    ['k8s-1.24/04-CronJob-CREATE.json', true, []],
    ['k8s-1.24/05-CronJob-CREATE.json', false, ['bad/img']],
    ['k8s-1.24/06-Job-CREATE.json', false, ['bad/x']],
    ['k8s-1.24/07-Deployment-UPDATE.json', false, ['bad/busybox']],
    ['k8s-1.24/08-Pod-UPDATE-ephemeralcontainers.json', false, ['bad/debug']],
    ['k8s-1.24/09-Pod-UPDATE-ephemeralcontainers.json', true, []],
    ['k8s-1.32/01-Pod-CREATE.json', true, []],
    ['k8s-1.32/02-Pod-CREATE.json', false, ['bad/img']],
    ['k8s-1.32/03-Deployment-CREATE.json', false, ['bad/img']],
    ['k8s-1.32/04-StatefulSet-CREATE.json', false, ['bad/init']],
    ['k8s-1.32/05-Pod-UPDATE-ephemeralcontainers.json', false, ['bad/dbg']],
  ])('%s: allowed=%s, denied images %j', async (file, allowed, deniedImages) => {
    const { request } = readAdmissionReview(file).review;
    const decision = await decide({ request, policies, metadata: new MemoryMetadata() });
    expect(decision.allowed).toBe(allowed);
    expect([...new Set(decision.violations.map((v) => v.image))]).toEqual(deniedImages);
  });

  it('does not trust ownerReferences: a ReplicaSet owned by a Deployment is judged', async () => {
    const { request } = readAdmissionReview('k8s-1.32/03-Deployment-CREATE.json').review;
    const object = request.object as { kind: string; metadata: Record<string, unknown> };
    const replicaSet = {
      ...request,
      kind: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
      object: {
        ...object,
        kind: 'ReplicaSet',
        metadata: {
          ...object.metadata,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'bd', controller: true }],
        },
      },
    };
    const decision = await decide({ request: replicaSet, policies, metadata: new MemoryMetadata() });
    expect(decision.allowed).toBe(false);
    expect(decision.message.split('\n')[0]).toBe(
      'Signet denied ReplicaSet default/bd: 1 image failed policy.',
    );
  });
});
