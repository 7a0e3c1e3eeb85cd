import { beforeAll, describe, expect, it } from 'vitest';
import { auditPods, findingSummary } from './audit.js';
import { RunLookups } from './audit-lookups.js';
import { workloadOwner } from './audit-owner.js';
import type { NamespacePolicies } from './resource-types.js';
import { finding, MemoryMetadata } from './test-support/memory-metadata.js';
import { DIGEST_A, DIGEST_B, gap, isp, pgpAuthority } from './test-support/resources.js';
import { type PgpSigner, pgpAttestation, pgpSigner } from './test-support/signers.js';

const APP = 'gcr.io/team/app';
const NOTE = 'projects/attestors/notes/qa';
const SIGNED = `${APP}@${DIGEST_A}`;
const UNSIGNED = `${APP}@${DIGEST_B}`;
let qa: PgpSigner;
let metadata: MemoryMetadata;

beforeAll(async () => {
  qa = await pgpSigner('qa');
});

function pod(
  name: string,
  image: string,
  extra: {
    namespace?: string;
    phase?: string;
    annotations?: Record<string, string>;
    owner?: string;
    /** The container's status.containerStatuses[].imageID. */
    imageID?: string;
  } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      uid: `uid-${name}`,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.owner
        ? { ownerReferences: [{ kind: 'ReplicaSet', name: extra.owner, controller: true, uid: 'x' }] }
        : {}),
    },
    spec: { containers: [{ name: 'app', image }] },
    status: {
      phase: extra.phase ?? 'Running',
      ...(extra.imageID === undefined
        ? {}
        : { containerStatuses: [{ name: 'app', imageID: extra.imageID, state: { running: {} } }] }),
    },
  };
}

function requireQa(): NamespacePolicies {
  return {
    authorities: [pgpAuthority('qa', qa.publicKeyBase64, NOTE)],
    genericAttestationPolicies: [gap('require-qa', { attestationAuthorityNames: ['qa'] })],
    imageSecurityPolicies: [],
    invalid: [],
  };
}

async function signedMetadata(): Promise<MemoryMetadata> {
  const store = new MemoryMetadata();
  store.addAttestation(
    NOTE,
    `https://${SIGNED}`,
    await pgpAttestation(qa.privateKey, { name: APP, digest: DIGEST_A }, { noteName: NOTE }),
  );
  return store;
}

describe('auditPods', () => {
  it('reports violating Pods with the admission message and leaves conforming ones out', async () => {
    metadata = await signedMetadata();
    const report = await auditPods({
      pods: [pod('good', SIGNED), pod('bad', UNSIGNED)],
      policiesFor: requireQa,
      metadata,
    });
    expect(report).toMatchObject({ judged: 2, conforming: 1, skipped: 0 });
    expect(report.findings).toHaveLength(1);
    const [bad] = report.findings;
    expect(bad).toMatchObject({ namespace: 'default', name: 'bad', uid: 'uid-bad', status: 'violating' });
    expect(bad?.violations.map((v) => v.code)).toEqual(['NOT_ATTESTED']);
    expect(bad?.message).toContain('Signet denied Pod default/bad');
    expect(bad?.message).toContain('fix:');
    expect(findingSummary(bad as never)).toBe(
      `NOT_ATTESTED: GenericAttestationPolicy default/require-qa (${UNSIGNED})`,
    );
  });

  it('looks each distinct digest up once per run, however many Pods share it', async () => {
    metadata = await signedMetadata();
    const pods = Array.from({ length: 30 }, (_, i) => pod(`p${i}`, i % 2 === 0 ? SIGNED : UNSIGNED));
    const report = await auditPods({ pods, policiesFor: requireQa, metadata, concurrency: 5 });
    expect(report.findings).toHaveLength(15);
    expect(report.lookups).toEqual({ attestations: 2, vulnerabilities: 0 });
    expect(metadata.calls).toHaveLength(2);
  });

  it('skips kube-system, the namespaces it is told to, finished Pods and objects that are not Pods', async () => {
    metadata = new MemoryMetadata();
    const report = await auditPods({
      pods: [
        pod('a', UNSIGNED, { namespace: 'kube-system' }),
        pod('b', UNSIGNED, { namespace: 'signet' }),
        pod('c', UNSIGNED, { phase: 'Succeeded' }),
        pod('d', UNSIGNED, { phase: 'Failed' }),
        { metadata: 'garbage' },
        42,
        pod('e', UNSIGNED, { phase: 'Pending' }),
      ],
      policiesFor: requireQa,
      metadata,
      skipNamespaces: ['signet'],
    });
    expect(report).toMatchObject({ judged: 1, skipped: 6 });
    expect(report.findings.map((f) => f.name)).toEqual(['e']);
  });

  it('judges breakglass Pods anyway and marks them', async () => {
    metadata = new MemoryMetadata();
    const report = await auditPods({
      pods: [pod('glass', UNSIGNED, { annotations: { 'kritis.grafeas.io/breakglass': 'true' } })],
      policiesFor: requireQa,
      metadata,
    });
    expect(report.findings.map((f) => f.status)).toEqual(['breakglass']);
  });

  it('reports a failing backend as unknown, asking it once per distinct lookup', async () => {
    metadata = new MemoryMetadata();
    metadata.attestationFailure = new Error('connection refused');
    const report = await auditPods({
      pods: [pod('x', UNSIGNED), pod('y', UNSIGNED)],
      policiesFor: requireQa,
      metadata,
      settings: { onBackendError: 'allow' },
    });
    expect(report.findings.map((f) => f.status)).toEqual(['unknown', 'unknown']);
    expect(report.findings[0]?.violations[0]?.code).toBe('BACKEND_FAILED');
    expect(metadata.calls).toHaveLength(1);
  });

  it('sees a new CRITICAL vulnerability of a running image', async () => {
    metadata = await signedMetadata();
    const policies = (): NamespacePolicies => ({
      ...requireQa(),
      genericAttestationPolicies: [],
      imageSecurityPolicies: [
        isp('no-critical', { packageVulnerabilityRequirements: { maximumSeverity: 'HIGH' } }),
      ],
    });
    const settings = { vulnerabilityProject: 'scans' };
    const before = await auditPods({ pods: [pod('web', SIGNED)], policiesFor: policies, metadata, settings });
    expect(before.findings).toEqual([]);
    metadata.setVulnerabilities('team', `https://${SIGNED}`, [finding('CVE-2099-1', 'CRITICAL', true)]);
    const after = await auditPods({ pods: [pod('web', SIGNED)], policiesFor: policies, metadata, settings });
    expect(after.findings.map((f) => f.violations.map((v) => v.code))).toEqual([['VULNERABILITIES']]);
  });

  it('reports progress for every Pod judged', async () => {
    metadata = await signedMetadata();
    const seen: string[] = [];
    await auditPods({
      pods: [pod('a', SIGNED), pod('b', SIGNED)],
      policiesFor: requireQa,
      metadata,
      onProgress: (done, total) => seen.push(`${done}/${total}`),
    });
    expect(seen).toEqual(['1/2', '2/2']);
  });
});

describe('auditPods judges what runs (status.containerStatuses[].imageID)', () => {
  const allowlistByTag = (): NamespacePolicies => ({
    ...requireQa(),
    genericAttestationPolicies: [
      gap('require-qa', {
        attestationAuthorityNames: ['qa'],
        admissionAllowlistPatterns: [{ namePattern: `${APP}:v1` }],
      }),
    ],
  });

  it('a Pod admitted by an allowlisted tag is judged by the digest running, naming both', async () => {
    metadata = await signedMetadata();
    const report = await auditPods({
      pods: [
        pod('signed', `${APP}:v1`, { imageID: SIGNED }),
        pod('unsigned', `${APP}:v1`, { imageID: UNSIGNED }),
        pod('not-started', `${APP}:v1`),
      ],
      policiesFor: allowlistByTag,
      metadata,
    });
    expect(report).toMatchObject({ judged: 3, conforming: 2 });
    const [finding] = report.findings;
    expect(finding).toMatchObject({ name: 'unsigned', status: 'violating', images: [UNSIGNED] });
    expect(finding?.violations.map((v) => [v.code, v.image])).toEqual([['NOT_ATTESTED', UNSIGNED]]);
    expect(finding?.violations[0]?.reason).toContain(
      `(the digest running, as status.containerStatuses[app].imageID reports; the Pod spec names ${APP}:v1)`,
    );
    expect(finding?.message).toContain(`image ${UNSIGNED}:`);
    expect(finding?.message).toContain(`the Pod spec names ${APP}:v1`);
    expect(finding?.running).toEqual([
      {
        where: 'status.containerStatuses[app]',
        specImage: `${APP}:v1`,
        imageId: UNSIGNED,
        running: UNSIGNED,
      },
    ]);
  });

  it('an allowlisted repository still admits what runs from it', async () => {
    metadata = new MemoryMetadata();
    const report = await auditPods({
      pods: [pod('web', `${APP}:v1`, { imageID: `docker-pullable://${UNSIGNED}` })],
      policiesFor: () => ({
        ...requireQa(),
        genericAttestationPolicies: [
          gap('require-qa', {
            attestationAuthorityNames: ['qa'],
            admissionAllowlistPatterns: [{ namePattern: 'gcr.io/team/*' }],
          }),
        ],
      }),
      metadata,
    });
    expect(report.findings).toEqual([]);
  });

  it('a breakglass Pod is judged by its running digest: a signed one conforms, an unsigned one is reported', async () => {
    metadata = await signedMetadata();
    const glass = { 'kritis.grafeas.io/breakglass': 'true' };
    const report = await auditPods({
      pods: [
        pod('glass-signed', `${APP}:hotfix`, { annotations: glass, imageID: SIGNED }),
        pod('glass-unsigned', `${APP}:hotfix`, { annotations: glass, imageID: UNSIGNED }),
      ],
      policiesFor: requireQa,
      metadata,
    });
    expect(report.findings.map((f) => [f.name, f.status, f.violations.map((v) => v.code)])).toEqual([
      ['glass-unsigned', 'breakglass', ['NOT_ATTESTED']],
    ]);
  });

  it('an imageID with no repository digest is a finding, even when the spec image is signed', async () => {
    metadata = await signedMetadata();
    const local = `sha256:${'c'.repeat(64)}`;
    const report = await auditPods({
      pods: [pod('local', SIGNED, { imageID: `docker://${local}` })],
      policiesFor: requireQa,
      metadata,
    });
    const [finding] = report.findings;
    expect(finding?.status).toBe('violating');
    expect(finding?.violations).toHaveLength(1);
    expect(finding?.violations[0]).toMatchObject({
      code: 'RUNNING_IMAGE_UNKNOWN',
      image: SIGNED,
      policy: 'running image (Pod status)',
    });
    expect(finding?.message).toContain(
      `runs in status.containerStatuses[app]: its imageID docker://${local} is an image ID`,
    );
    expect(finding?.message).toContain('fix: run images pulled from a registry');
    expect(findingSummary(finding as never)).toBe(
      `RUNNING_IMAGE_UNKNOWN: running image (Pod status) (${SIGNED})`,
    );
  });

  it('an unreadable imageID under DryRun policies only is no finding: nothing there is enforced', async () => {
    metadata = new MemoryMetadata();
    const report = await auditPods({
      pods: [pod('local', `${APP}:v1`, { imageID: `sha256:${'c'.repeat(64)}` })],
      policiesFor: () => ({
        ...requireQa(),
        genericAttestationPolicies: [
          gap('require-qa', { attestationAuthorityNames: ['qa'], enforcementMode: 'DryRun' }),
        ],
      }),
      metadata,
    });
    expect(report.findings).toEqual([]);
  });

  it('an unreadable imageID in a namespace no policy covers is no finding, as admission admits anything there', async () => {
    metadata = new MemoryMetadata();
    const report = await auditPods({
      pods: [pod('local', SIGNED, { imageID: `sha256:${'c'.repeat(64)}` })],
      policiesFor: () => ({
        authorities: [],
        genericAttestationPolicies: [],
        imageSecurityPolicies: [],
        invalid: [],
      }),
      metadata,
      settings: { noPolicy: 'allow' },
    });
    expect(report.findings).toEqual([]);
  });
});

describe('RunLookups', () => {
  it('forwards scan status, once per distinct image: an ImageSecurityPolicy with requireScan is judged, not unknown', async () => {
    const store = new MemoryMetadata();
    store.setScans('team', `https://${SIGNED}`, [{ status: 'FINISHED_SUCCESS' }]);
    const policies = (): NamespacePolicies => ({
      ...requireQa(),
      genericAttestationPolicies: [],
      imageSecurityPolicies: [isp('scanned', { requireScan: true })],
    });
    const report = await auditPods({
      pods: [pod('scanned', SIGNED), pod('again', SIGNED), pod('never', UNSIGNED)],
      policiesFor: policies,
      metadata: store,
    });
    expect(report.findings.map((f) => [f.name, f.status, f.violations[0]?.code])).toEqual([
      ['never', 'violating', 'NOT_SCANNED'],
    ]);
    expect(store.calls.filter((call) => call.startsWith('scans'))).toEqual([
      `scans team https://${SIGNED}`,
      `scans team https://${UNSIGNED}`,
    ]);
  });

  it('remembers failures for the run too', async () => {
    const inner = new MemoryMetadata();
    inner.vulnerabilityFailure = new Error('boom');
    const lookups = new RunLookups(inner);
    await expect(lookups.vulnerabilities('u', 'p')).rejects.toThrow('boom');
    await expect(lookups.vulnerabilities('u', 'p')).rejects.toThrow('boom');
    expect(inner.calls).toEqual(['vulnerabilities p u']);
    expect(lookups.counts).toEqual({ attestations: 0, vulnerabilities: 1 });
  });
});

describe('workloadOwner', () => {
  const parents = new Map([['ReplicaSet/web-5d9', { kind: 'Deployment', name: 'web' }]]);
  const parentOf = (owner: { kind: string; name: string }) => parents.get(`${owner.kind}/${owner.name}`);

  it('resolves a ReplicaSet to its Deployment, and shows a bare Pod as itself', () => {
    expect(workloadOwner(pod('web-5d9-x', SIGNED, { owner: 'web-5d9' }), parentOf)).toEqual({
      kind: 'Deployment',
      name: 'web',
    });
    expect(workloadOwner(pod('lonely', SIGNED))).toEqual({ kind: 'Pod', name: 'lonely' });
  });

  it('keeps the ReplicaSet when its owner is unknown', () => {
    expect(workloadOwner(pod('x', SIGNED, { owner: 'orphan-rs' }), parentOf)).toEqual({
      kind: 'ReplicaSet',
      name: 'orphan-rs',
    });
  });
});
