import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { DecisionInput } from './decision-types.js';
import { deferTemplateTags } from './template-tags.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { DIGEST_A, gap, isp, pgpAuthority, podRequest } from './test-support/resources.js';
import { pgpSigner } from './test-support/signers.js';

const APP = 'gcr.io/team/app';

/** A Deployment (or another template kind) with the images of `podRequest`'s Pod in its template. */
function workloadRequest(kind: string, images: string[]): Record<string, unknown> {
  const pod = podRequest(images) as { object: { spec: unknown } };
  return {
    ...pod,
    kind: { group: 'apps', version: 'v1', kind },
    resource: { group: 'apps', version: 'v1', resource: `${kind.toLowerCase()}s` },
    object: {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { metadata: {}, spec: pod.object.spec } },
    },
  };
}

let policies: DecisionInput['policies'];

beforeAll(async () => {
  const qa = await pgpSigner('qa');
  policies = {
    authorities: [pgpAuthority('qa', qa.publicKeyBase64, 'projects/p/notes/qa')],
    genericAttestationPolicies: [gap('require-qa', { attestationAuthorityNames: ['qa'] })],
    imageSecurityPolicies: [isp('vulnz', {})],
    invalid: [],
  };
});

const run = (request: Record<string, unknown>, templateTags?: DecisionInput['templateTags']) =>
  decide({ request, policies, metadata: new MemoryMetadata(), ...(templateTags ? { templateTags } : {}) });

describe('tag-only images in workload templates', () => {
  it('are refused by default, as Kritis refuses them', async () => {
    const decision = await run(workloadRequest('Deployment', [`${APP}:v1`]));
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => v.code)).toEqual(['NOT_PINNED', 'NOT_PINNED']);
  });

  it('with judge-in-pods, are admitted with a warning that their Pods are pinned and judged', async () => {
    for (const kind of ['Deployment', 'StatefulSet', 'CronJob']) {
      const request =
        kind === 'CronJob'
          ? {
              ...workloadRequest(kind, []),
              object: {
                kind,
                metadata: { name: 'web', namespace: 'default' },
                spec: {
                  jobTemplate: {
                    spec: { template: { spec: { containers: [{ name: 'c', image: `${APP}:v1` }] } } },
                  },
                },
              },
            }
          : workloadRequest(kind, [`${APP}:v1`]);
      const decision = await run(request, 'judge-in-pods');
      expect(decision.allowed, kind).toBe(true);
      expect(decision.warnings, kind).toEqual([
        `${APP}:v1 is named by tag in this ${kind}'s pod template: Signet judges it in each Pod made from it, pinned by digest at admission (signet-resolve, --resolve-tags pods)`,
      ]);
      expect(decision.images).toEqual({ judged: [], unchanged: [] });
    }
  });

  it('with judge-in-pods, a Pod that still names a tag is refused: nothing runs unjudged', async () => {
    const decision = await run(podRequest([`${APP}:v1`]), 'judge-in-pods');
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => v.code)).toContain('NOT_PINNED');
  });

  it('with judge-in-pods, the template’s digests and unreadable names are still judged', async () => {
    const decision = await run(
      workloadRequest('Deployment', [`${APP}:v1`, `${APP}@${DIGEST_A}`, 'Bad Image', `${APP}@md5:abc`]),
      'judge-in-pods',
    );
    expect(decision.allowed).toBe(false);
    expect(decision.images?.judged).toEqual([`${APP}@${DIGEST_A}`, 'Bad Image', `${APP}@md5:abc`]);
    expect(new Set(decision.violations.map((v) => v.code))).toEqual(
      new Set(['NOT_ATTESTED', 'REFERENCE_INVALID']),
    );
  });
});

describe('deferTemplateTags', () => {
  it('never sets aside the images of a Pod or of ephemeral containers', () => {
    for (const kind of ['Pod', 'EphemeralContainers'])
      expect(deferTemplateTags(kind, ['a:1'], 'judge-in-pods')).toEqual({ judged: ['a:1'], deferred: [] });
  });

  it('sets aside nothing when templates are denied tags', () => {
    expect(deferTemplateTags('Deployment', ['a:1'], 'deny')).toEqual({ judged: ['a:1'], deferred: [] });
  });
});
