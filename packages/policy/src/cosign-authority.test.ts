import { parseImageReference } from '@signet/signing';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditPods } from './audit.js';
import { checkCosignAuthority } from './cosign-authority.js';
import { decide } from './decide.js';
import type { Decision } from './decision-types.js';
import type { CosignArtifacts, EvidenceSource } from './metadata.js';
import type { AttestationAuthority, NamespacePolicies } from './resource-types.js';
import {
  ATT_TAG,
  appArtifacts,
  COSIGN_APP,
  COSIGN_DIGEST,
  COSIGN_OTHER,
  CosignMemoryMetadata,
  freshKeyData,
  notFound,
  recordedKeyData,
  recordedManifest,
  SIG_TAG,
  SLSA_V1,
} from './test-support/cosign.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { authority, gap, pgpAuthority, podRequest } from './test-support/resources.js';
import { type PgpSigner, pgpAttestation, pgpSigner } from './test-support/signers.js';
import { AttestationVerifier } from './verifier.js';

const IMAGE = `${COSIGN_APP}@${COSIGN_DIGEST}`;
const P256 = recordedKeyData('ecdsa-p256');

function cosignAuthority(name: string, cosign: Record<string, unknown>): AttestationAuthority {
  return authority(name, { cosign });
}

function requiring(authorities: AttestationAuthority[]): NamespacePolicies {
  return {
    authorities,
    genericAttestationPolicies: [
      gap('require', { attestationAuthorityNames: authorities.map((a) => a.metadata.name) }),
    ],
    imageSecurityPolicies: [],
    invalid: [],
  };
}

function judge(
  authorities: AttestationAuthority[],
  metadata: EvidenceSource,
  options: { images?: string[]; onBackendError?: 'allow' | 'deny' } = {},
): Promise<Decision> {
  return decide({
    request: podRequest(options.images ?? [IMAGE]),
    policies: requiring(authorities),
    metadata,
    settings: options.onBackendError ? { onBackendError: options.onBackendError } : {},
  });
}

const reasons = (decision: Decision) => decision.violations.map((v) => `${v.code}: ${v.reason}`);

describe('a cosign authority, judged on what cosign 2.5 wrote', () => {
  it.each(['ecdsa-p256', 'ed25519', 'rsa-3072', 'ecdsa-p384'] as const)(
    'admits the image signed with %s (one of the four layers of its .sig tag)',
    async (key) => {
      const metadata = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
      const decision = await judge(
        [cosignAuthority('build', { publicKeyData: recordedKeyData(key) })],
        metadata,
      );
      expect(reasons(decision)).toEqual([]);
      expect(decision).toMatchObject({ allowed: true, reason: 'policy' });
      expect(metadata.cosignCalls).toEqual([`${COSIGN_APP} ${IMAGE}`]);
    },
  );

  it('denies an unsigned image (no .sig tag), naming the repository, the tag and the fix', async () => {
    const decision = await judge(
      [cosignAuthority('build', { publicKeyData: P256 })],
      new CosignMemoryMetadata(),
    );
    expect(decision).toMatchObject({ allowed: false, reason: 'policy', denial: 'policy' });
    expect(decision.violations).toHaveLength(1);
    const [violation] = decision.violations;
    expect(violation!.code).toBe('NOT_ATTESTED');
    expect(violation!.reason).toBe(
      `no cosign signature by AttestationAuthority build: no signature found: tag ${SIG_TAG} of repository ${COSIGN_APP} does not exist`,
    );
    expect(violation!.fix).toContain(`cosign sign --key cosign.key ${IMAGE}`);
    expect(violation!.fix).toContain(`signet sign --cosign-key cosign.key --image ${IMAGE}`);
    expect(decision.message).toContain(SIG_TAG);
  });

  it('denies a .sig tag that holds no layer', async () => {
    const empty: CosignArtifacts = {
      ...appArtifacts(),
      signatures: { tag: SIG_TAG, found: true, layers: [] },
    };
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, empty);
    const decision = await judge([cosignAuthority('build', { publicKeyData: P256 })], metadata);
    expect(reasons(decision)).toEqual([
      `NOT_ATTESTED: no cosign signature by AttestationAuthority build: tag ${SIG_TAG} of repository ${COSIGN_APP} holds no signature`,
    ]);
  });

  it('denies signatures made with another key, saying why each layer failed', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
    const decision = await judge([cosignAuthority('build', { publicKeyData: freshKeyData() })], metadata);
    expect(decision.allowed).toBe(false);
    const [violation] = decision.violations;
    expect(violation!.reason).toMatch(
      new RegExp(
        `^no cosign signature in tag ${SIG_TAG} of repository ${COSIGN_APP} verifies with the key of AttestationAuthority build: layers 1, 2, 3, 4: the cosign signature does not verify .*\\(COSIGN_SIGNATURE_INVALID\\)$`,
      ),
    );
    expect(violation!.fix).toContain('cosign sign --key');
  });

  it('denies a signature replayed from another repository holding the same digest (signet/other)', async () => {
    const replayed: CosignArtifacts = {
      ...appArtifacts(),
      signatures: recordedManifest('other.sig.manifest.json', SIG_TAG),
    };
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, replayed);
    const decision = await judge([cosignAuthority('build', { publicKeyData: P256 })], metadata);
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]!.reason).toContain('COSIGN_REPOSITORY_MISMATCH');
    // The same signature admits the image under its own name.
    const other = `${COSIGN_OTHER}@${COSIGN_DIGEST}`;
    const own = new CosignMemoryMetadata().setCosign(other, { ...replayed, repository: COSIGN_OTHER });
    const admitted = await judge([cosignAuthority('build', { publicKeyData: P256 })], own, {
      images: [other],
    });
    expect(reasons(admitted)).toEqual([]);
  });

  it('reads signatures where spec.cosign.repository says, and checks them against the image, not that repository', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, {
      ...appArtifacts(),
      repository: COSIGN_OTHER,
    });
    const decision = await judge(
      [cosignAuthority('build', { publicKeyData: P256, repository: COSIGN_OTHER })],
      metadata,
    );
    expect(reasons(decision)).toEqual([]);
    expect(metadata.cosignCalls).toEqual([`${COSIGN_OTHER} ${IMAGE}`]);
    // signet/other's own signature names signet/other: stored there, it does not sign signet/app.
    const stored = new CosignMemoryMetadata().setCosign(IMAGE, {
      ...appArtifacts(),
      repository: COSIGN_OTHER,
      signatures: recordedManifest('other.sig.manifest.json', SIG_TAG),
    });
    const denied = await judge(
      [cosignAuthority('build', { publicKeyData: P256, repository: COSIGN_OTHER })],
      stored,
    );
    expect(denied.allowed).toBe(false);
    expect(denied.violations[0]!.reason).toContain(`tag ${SIG_TAG} of repository ${COSIGN_OTHER}`);
    expect(denied.violations[0]!.fix).toContain(`COSIGN_REPOSITORY=${COSIGN_OTHER} cosign sign`);
  });
});

describe('required attestations', () => {
  const withSlsa = () =>
    cosignAuthority('build', { publicKeyData: P256, attestations: [{ predicateType: SLSA_V1 }] });

  it('admits when the .att tag holds a verified attestation of the predicate type', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
    expect(reasons(await judge([withSlsa()], metadata))).toEqual([]);
  });

  it('admits on a verified Sigstore bundle (cosign 3 layout) of the predicate type', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, {
      ...appArtifacts(),
      attestations: notFound(ATT_TAG),
      // cosign attest --new-bundle-format, read from signet/bundle: its subject is the digest.
      bundles: [recordedManifest('bundle.manifest.json', undefined)],
    });
    expect(reasons(await judge([withSlsa()], metadata))).toEqual([]);
  });

  it('denies when the predicate type is absent, listing what each place held', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, {
      ...appArtifacts(),
      attestations: notFound(ATT_TAG),
    });
    const decision = await judge([withSlsa()], metadata);
    expect(reasons(decision)).toEqual([
      `NOT_ATTESTED: no verified cosign attestation of predicate type ${SLSA_V1} by AttestationAuthority build (tag ${ATT_TAG} of repository ${COSIGN_APP}: does not exist; no Sigstore bundle)`,
    ]);
    expect(decision.violations[0]!.fix).toContain(
      `cosign attest --key cosign.key --type ${SLSA_V1} --predicate FILE ${IMAGE}`,
    );
  });

  it('denies an attestation of another predicate type (the signed one counts, not the annotation)', async () => {
    const other = 'https://example.com/other/v1';
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
    const decision = await judge(
      [cosignAuthority('build', { publicKeyData: P256, attestations: [{ predicateType: other }] })],
      metadata,
    );
    expect(reasons(decision)).toEqual([
      `NOT_ATTESTED: no verified cosign attestation of predicate type ${other} by AttestationAuthority build (tag ${ATT_TAG} of repository ${COSIGN_APP}: layer 1: signed predicate type ${SLSA_V1}; no Sigstore bundle)`,
    ]);
  });

  it('denies an attestation signed with another key', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
    // Ed25519 signed the .sig, but only the P-256 key attested.
    const decision = await judge(
      [
        cosignAuthority('build', {
          publicKeyData: recordedKeyData('ed25519'),
          attestations: [{ predicateType: SLSA_V1 }],
        }),
      ],
      metadata,
    );
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]!.reason).toContain('layer 1: no signature of the DSSE envelope verifies');
    expect(decision.violations[0]!.reason).toContain('(COSIGN_SIGNATURE_INVALID)');
  });

  it('denies attestations without a signature (both are required)', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, {
      ...appArtifacts(),
      signatures: notFound(SIG_TAG),
    });
    const decision = await judge([withSlsa()], metadata);
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]!.reason).toContain(
      'a verified attestation alone does not satisfy a cosign authority',
    );
  });
});

describe('the MetadataSource port', () => {
  it('without cosignArtifacts: a cosign authority fails closed, saying the registry is not configured', async () => {
    const decision = await judge([cosignAuthority('build', { publicKeyData: P256 })], new MemoryMetadata(), {
      onBackendError: 'allow',
    });
    expect(decision).toMatchObject({ allowed: false, reason: 'policy', denial: 'policy', failOpen: false });
    expect(decision.violations.map((v) => v.code)).toEqual(['COSIGN_NOT_CONFIGURED']);
    expect(decision.violations[0]!.reason).toContain(
      'not configured to read cosign evidence from registries',
    );
    expect(decision.violations[0]!.fix).toContain('remove spec.cosign from AttestationAuthority build');
  });

  it('a read that throws is a backend failure: denied (503), or admitted with a warning under onBackendError: allow', async () => {
    const metadata = new CosignMemoryMetadata();
    metadata.cosignFailure = new Error('registry 127.0.0.1:5123 answered 500');
    const authorities = [cosignAuthority('build', { publicKeyData: P256 })];
    const denied = await judge(authorities, metadata);
    expect(denied).toMatchObject({ allowed: false, reason: 'backend-error', denial: 'backend' });
    expect(denied.violations[0]!.reason).toBe(
      `reading cosign signatures of ${IMAGE} in repository ${COSIGN_APP} from the registry failed: registry 127.0.0.1:5123 answered 500`,
    );
    const admitted = await judge(authorities, metadata, { onBackendError: 'allow' });
    expect(admitted).toMatchObject({ allowed: true, reason: 'backend-error', failOpen: true });
    expect(admitted.warnings[0]).toContain('fail-open');
  });

  it('a read that returns something else than artefacts is a backend failure too', async () => {
    const metadata = new CosignMemoryMetadata();
    metadata.cosignArtifacts = async () => ({ repository: COSIGN_APP }) as unknown as CosignArtifacts;
    const decision = await judge([cosignAuthority('build', { publicKeyData: P256 })], metadata);
    expect(decision).toMatchObject({ allowed: false, denial: 'backend' });
    expect(decision.violations[0]!.reason).toContain('returned no cosign artefacts');
  });

  it('reads the images of one review concurrently, once per image and repository', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const metadata = new CosignMemoryMetadata(gate).setCosign(IMAGE, appArtifacts());
    const other = `${COSIGN_OTHER}@${COSIGN_DIGEST}`;
    const authorities = [
      cosignAuthority('build', { publicKeyData: P256 }),
      cosignAuthority('release', { publicKeyData: recordedKeyData('ed25519') }),
    ];
    const pending = judge(authorities, metadata, { images: [IMAGE, other] });
    await waitFor(() => metadata.cosignCalls.length === 2);
    expect(metadata.cosignCalls.sort()).toEqual([`${COSIGN_APP} ${IMAGE}`, `${COSIGN_OTHER} ${other}`]);
    release();
    const decision = await pending;
    expect(decision.violations.map((v) => [v.image, v.code])).toEqual([
      [other, 'NOT_ATTESTED'],
      [other, 'NOT_ATTESTED'],
    ]);
  });
});

describe('a mixed policy: a Grafeas attestation by QA and a cosign signature by the build', () => {
  let qa: PgpSigner;
  const NOTE = 'projects/attestors/notes/qa';
  beforeAll(async () => {
    qa = await pgpSigner('qa');
  });

  async function store(options: { qa: boolean; cosign: boolean }): Promise<CosignMemoryMetadata> {
    const metadata = new CosignMemoryMetadata();
    if (options.cosign) metadata.setCosign(IMAGE, appArtifacts());
    if (options.qa) {
      metadata.addAttestation(
        NOTE,
        `https://${IMAGE}`,
        await pgpAttestation(qa.privateKey, { name: COSIGN_APP, digest: COSIGN_DIGEST }, { noteName: NOTE }),
      );
    }
    return metadata;
  }
  const authorities = () => [
    pgpAuthority('qa', qa.publicKeyBase64, NOTE),
    cosignAuthority('build', { publicKeyData: P256 }),
  ];

  it('admits only when both hold', async () => {
    expect(reasons(await judge(authorities(), await store({ qa: true, cosign: true })))).toEqual([]);
    const noCosign = await judge(authorities(), await store({ qa: true, cosign: false }));
    expect(noCosign.violations.map((v) => v.code)).toEqual(['NOT_ATTESTED']);
    expect(noCosign.violations[0]!.reason).toContain('no cosign signature by AttestationAuthority build');
    const noQa = await judge(authorities(), await store({ qa: false, cosign: true }));
    expect(noQa.violations.map((v) => v.reason)).toEqual([
      `no attestation by AttestationAuthority qa (note ${NOTE})`,
    ]);
  });

  it('one authority with both noteReference and cosign needs both', async () => {
    const both = authority('both', {
      noteReference: NOTE,
      publicKeyData: qa.publicKeyBase64,
      cosign: { publicKeyData: P256 },
    });
    expect(reasons(await judge([both], await store({ qa: true, cosign: true })))).toEqual([]);
    const onlyQa = await judge([both], await store({ qa: true, cosign: false }));
    expect(onlyQa.violations.map((v) => v.reason)).toEqual([
      `no cosign signature by AttestationAuthority both: no signature found: tag ${SIG_TAG} of repository ${COSIGN_APP} does not exist`,
    ]);
    const onlyCosign = await judge([both], await store({ qa: false, cosign: true }));
    expect(onlyCosign.violations.map((v) => v.code)).toEqual(['NOT_ATTESTED']);
    const neither = await judge([both], await store({ qa: false, cosign: false }));
    expect(neither.violations).toHaveLength(2);
  });

  it('a cosign backend failure does not hide an unmet Grafeas attestation under onBackendError: allow', async () => {
    const metadata = await store({ qa: false, cosign: true });
    metadata.cosignFailure = new Error('registry down');
    const decision = await judge(authorities(), metadata, { onBackendError: 'allow' });
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => v.code).sort()).toEqual(['BACKEND_FAILED', 'NOT_ATTESTED']);
  });
});

describe('the audit', () => {
  const pod = (name: string, image: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec: { containers: [{ name: 'c', image }] },
    status: { phase: 'Running' },
  });

  it('judges cosign authorities through the same port, reading each image once per run', async () => {
    const metadata = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
    const unsigned = `${COSIGN_OTHER}@${COSIGN_DIGEST}`;
    const report = await auditPods({
      pods: [pod('a', IMAGE), pod('b', IMAGE), pod('c', unsigned)],
      policiesFor: () => requiring([cosignAuthority('build', { publicKeyData: P256 })]),
      metadata,
    });
    expect(report.findings.map((f) => [f.name, f.status])).toEqual([['c', 'violating']]);
    expect(report.findings[0]!.message).toContain(
      `tag ${SIG_TAG} of repository ${COSIGN_OTHER} does not exist`,
    );
    expect(report.lookups).toEqual({ attestations: 0, vulnerabilities: 0, cosign: 2 });
    expect(metadata.cosignCalls).toHaveLength(2);
  });

  it('fails closed when the source reads no registry', async () => {
    const report = await auditPods({
      pods: [pod('a', IMAGE)],
      policiesFor: () => requiring([cosignAuthority('build', { publicKeyData: P256 })]),
      metadata: new MemoryMetadata(),
    });
    expect(report.findings.map((f) => [f.status, f.violations[0]!.code])).toEqual([
      ['violating', 'COSIGN_NOT_CONFIGURED'],
    ]);
    expect(report.lookups).toEqual({ attestations: 0, vulnerabilities: 0 });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('checkCosignAuthority: one authority outside a decision (signet verify)', () => {
  const ref = { ...parseImageReference(IMAGE), digest: COSIGN_DIGEST };
  const build = cosignAuthority('build', { publicKeyData: P256 });

  it('is met by the recorded signature, read once through the source', async () => {
    const source = new CosignMemoryMetadata().setCosign(IMAGE, appArtifacts());
    expect(await checkCosignAuthority(build, ref, source, new AttestationVerifier())).toEqual([]);
    expect(source.cosignCalls).toEqual([`${COSIGN_APP} ${IMAGE}`]);
  });

  it("gives the decision's own findings: an unsigned image names the .sig tag and the fix", async () => {
    const findings = await checkCosignAuthority(
      build,
      ref,
      new CosignMemoryMetadata(),
      new AttestationVerifier(),
    );
    const decision = await judge([build], new CosignMemoryMetadata());
    expect(findings).toEqual(decision.violations.map(({ code, reason, fix }) => ({ code, reason, fix })));
    expect(findings[0]?.reason).toContain(`no signature found: tag ${SIG_TAG} of repository ${COSIGN_APP}`);
  });

  it('a failed read is BACKEND_FAILED, never "not signed"', async () => {
    const source = new CosignMemoryMetadata();
    source.cosignFailure = new Error('registry 127.0.0.1:5123 answered 503');
    const findings = await checkCosignAuthority(build, ref, source, new AttestationVerifier());
    expect(findings.map((f) => f.code)).toEqual(['BACKEND_FAILED']);
    expect(findings[0]?.reason).toContain('answered 503');
  });

  it('an authority without spec.cosign has no cosign part', async () => {
    const source = new CosignMemoryMetadata();
    const qa = pgpAuthority('qa', (await pgpSigner('qa')).publicKeyBase64);
    expect(await checkCosignAuthority(qa, ref, source, new AttestationVerifier())).toEqual([]);
    expect(source.cosignCalls).toEqual([]);
  });
});
