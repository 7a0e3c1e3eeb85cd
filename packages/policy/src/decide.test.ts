import { buildPayload } from '@signet/signing';
import { GpgHome } from '@signet/signing/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { DecisionInput } from './decision-types.js';
import type { NamespacePolicies } from './resource-types.js';
import { finding, MemoryMetadata } from './test-support/memory-metadata.js';
import {
  authority,
  DIGEST_A,
  DIGEST_B,
  gap,
  isp,
  pgpAuthority,
  podRequest,
} from './test-support/resources.js';
import {
  type PgpSigner,
  pgpAttestation,
  pgpSigner,
  pkixAttestation,
  pkixSigner,
} from './test-support/signers.js';
import { AttestationVerifier, type CachedCheck } from './verifier.js';

const APP = 'gcr.io/team/app';
const NOTE = 'projects/attestors/notes/qa';
const URL_A = `https://${APP}@${DIGEST_A}`;
let qa: PgpSigner;

beforeAll(async () => {
  qa = await pgpSigner('qa');
});

function policies(partial: Partial<NamespacePolicies>): NamespacePolicies {
  return {
    authorities: [],
    genericAttestationPolicies: [],
    imageSecurityPolicies: [],
    invalid: [],
    ...partial,
  };
}

function attestationPolicies(): NamespacePolicies {
  return policies({
    authorities: [pgpAuthority('qa', qa.publicKeyBase64, NOTE)],
    genericAttestationPolicies: [gap('require-qa', { attestationAuthorityNames: ['qa'] })],
  });
}

async function signedStore(image = { name: APP, digest: DIGEST_A }): Promise<MemoryMetadata> {
  const store = new MemoryMetadata();
  store.addAttestation(
    NOTE,
    `https://${image.name}@${image.digest}`,
    await pgpAttestation(qa.privateKey, image, { noteName: NOTE }),
  );
  return store;
}

const run = (input: Partial<DecisionInput> & Pick<DecisionInput, 'request'>) =>
  decide({ policies: policies({}), metadata: new MemoryMetadata(), ...input });

describe('attestations', () => {
  it('admits a signed image and denies an unsigned one, saying what is missing', async () => {
    const metadata = await signedStore();
    const admitted = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: attestationPolicies(),
      metadata,
    });
    expect(admitted).toMatchObject({
      allowed: true,
      violations: [],
      images: { judged: [`${APP}@${DIGEST_A}`], unchanged: [] },
    });

    const denied = await run({
      request: podRequest([`${APP}@${DIGEST_B}`]),
      policies: attestationPolicies(),
      metadata,
    });
    expect(denied.allowed).toBe(false);
    expect(denied.violations).toEqual([
      {
        image: `${APP}@${DIGEST_B}`,
        policy: 'GenericAttestationPolicy default/require-qa',
        code: 'NOT_ATTESTED',
        reason: `no attestation by AttestationAuthority qa (note ${NOTE})`,
        fix: `sign it: \`signet sign --image ${APP}@${DIGEST_B} --note ${NOTE}\` with a key of AttestationAuthority qa`,
      },
    ]);
    expect(denied.message).toBe(
      [
        'Signet denied Pod default/web: 1 image failed policy.',
        `image ${APP}@${DIGEST_B}:`,
        `  - GenericAttestationPolicy default/require-qa: no attestation by AttestationAuthority qa (note ${NOTE})`,
        `    fix: sign it: \`signet sign --image ${APP}@${DIGEST_B} --note ${NOTE}\` with a key of AttestationAuthority qa`,
      ].join('\n'),
    );
    expect(JSON.parse(denied.auditAnnotations.violations!)).toHaveLength(1);
  });

  it("states the source's word on a miss (an index's age) in the denial, and nothing else changes", async () => {
    const metadata = await signedStore();
    const asked: string[] = [];
    const source = Object.assign(Object.create(metadata) as MemoryMetadata, {
      describeAbsence: (noteName: string) => {
        asked.push(noteName);
        return `the index of note ${noteName}, read 4s ago`;
      },
    });
    const denied = await run({
      request: podRequest([`${APP}@${DIGEST_B}`]),
      policies: attestationPolicies(),
      metadata: source,
    });
    expect(denied.violations).toMatchObject([
      {
        code: 'NOT_ATTESTED',
        reason: `no attestation by AttestationAuthority qa (note ${NOTE}) in the index of note ${NOTE}, read 4s ago`,
      },
    ]);
    expect(asked).toEqual([NOTE]);
    const admitted = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: attestationPolicies(),
      metadata: source,
    });
    expect(admitted.allowed).toBe(true);
    expect(asked).toEqual([NOTE]);
  });

  it('accepts a base64-wrapped pgpSignedAttestation (Kritis’s REST script form)', async () => {
    const metadata = new MemoryMetadata().addAttestation(
      NOTE,
      URL_A,
      await pgpAttestation(qa.privateKey, { name: APP, digest: DIGEST_A }, { noteName: NOTE, base64: true }),
    );
    const decision = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: attestationPolicies(),
      metadata,
    });
    expect(decision.allowed).toBe(true);
  });

  it('accepts a v1 PKIX attestation chosen by the key’s id', async () => {
    const signer = pkixSigner();
    const pkixAuthority = authority('pkix', {
      noteReference: NOTE,
      publicKeys: [
        {
          keyType: 'PKIX',
          pkixPublicKey: { publicKeyPem: signer.publicKeyPem, signatureAlgorithm: 'ECDSA_P256_SHA256' },
        },
      ],
    });
    const metadata = new MemoryMetadata().addAttestation(
      NOTE,
      URL_A,
      pkixAttestation(signer, { name: APP, digest: DIGEST_A }, NOTE),
    );
    const decision = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: policies({
        authorities: [pkixAuthority],
        genericAttestationPolicies: [gap('g', { attestationAuthorityNames: ['pkix'] })],
      }),
      metadata,
    });
    expect(decision.allowed).toBe(true);
  });

  it('needs every authority of one policy; any one policy suffices', async () => {
    const other = await pgpSigner('other');
    const otherNote = 'projects/attestors/notes/other';
    const both = policies({
      authorities: [
        pgpAuthority('qa', qa.publicKeyBase64, NOTE),
        pgpAuthority('other', other.publicKeyBase64, otherNote),
      ],
      genericAttestationPolicies: [gap('both', { attestationAuthorityNames: ['qa', 'other'] })],
    });
    const metadata = await signedStore();
    const denied = await run({ request: podRequest([`${APP}@${DIGEST_A}`]), policies: both, metadata });
    expect(denied.violations.map((v) => [v.policy, v.reason])).toEqual([
      [
        'GenericAttestationPolicy default/both',
        `no attestation by AttestationAuthority other (note ${otherNote})`,
      ],
    ]);
    both.genericAttestationPolicies.push(gap('qa-only', { attestationAuthorityNames: ['qa'] }));
    const admitted = await run({ request: podRequest([`${APP}@${DIGEST_A}`]), policies: both, metadata });
    expect(admitted.allowed).toBe(true);
  });

  it('denies when the policy names an authority that does not exist', async () => {
    const decision = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: policies({
        genericAttestationPolicies: [gap('g', { attestationAuthorityNames: ['ghost'] })],
      }),
    });
    expect(decision.violations.map((v) => v.code)).toEqual(['AUTHORITY_MISSING']);
    expect(decision.violations[0]!.reason).toBe(
      'AttestationAuthority ghost does not exist in this namespace',
    );
  });

  it('admits by allowlist pattern without looking anything up', async () => {
    const metadata = new MemoryMetadata();
    const list = attestationPolicies();
    list.genericAttestationPolicies = [
      gap('g', {
        attestationAuthorityNames: ['qa'],
        admissionAllowlistPatterns: [{ namePattern: 'gcr.io/team/*' }],
      }),
    ];
    const decision = await run({ request: podRequest([`${APP}:latest`]), policies: list, metadata });
    expect(decision.allowed).toBe(true);
    expect(metadata.calls).toEqual([]);
  });
});

describe('the verification cache', () => {
  it('reuses results by authority, image and attestation content, within maxAge', async () => {
    const cache = new Map<string, CachedCheck>();
    const verifier = new AttestationVerifier({ cache, maxAgeMs: 1000 });
    const metadata = await signedStore();
    const now = new Date();
    const request = podRequest([`${APP}@${DIGEST_A}`]);
    expect((await run({ request, policies: attestationPolicies(), metadata, verifier, now })).allowed).toBe(
      true,
    );
    expect([...cache.values()].map((entry) => entry.check.valid)).toEqual([true]);

    // A result in the cache is believed while fresh: prove it by planting a refusal.
    const [key] = [...cache.keys()];
    cache.set(key!, {
      checkedAt: now.getTime(),
      check: { valid: false, code: 'PLANTED', reason: 'planted', fix: 'none' },
    });
    const cached = await run({ request, policies: attestationPolicies(), metadata, verifier, now });
    expect(cached.violations[0]!.reason).toContain('planted');

    // Past maxAge the attestation is verified again.
    const later = new Date(now.getTime() + 5000);
    expect(
      (await run({ request, policies: attestationPolicies(), metadata, verifier, now: later })).allowed,
    ).toBe(true);
  });
});

describe('vulnerabilities', () => {
  const limits = isp('vulnz', {
    packageVulnerabilityRequirements: {
      maximumSeverity: 'MEDIUM',
      maximumFixUnavailableSeverity: 'HIGH',
      allowlistCVEs: [
        'providers/goog-vulnz/notes/CVE-2017-1000081',
        'projects/goog-vulnz/notes/CVE-2020-2',
        'CVE-2020-3',
      ],
    },
  });
  const request = podRequest([`${APP}@${DIGEST_A}`]);

  it('denies CVEs above the limit that applies (fixable or not), naming them', async () => {
    const metadata = new MemoryMetadata().setVulnerabilities('team', URL_A, [
      finding('CVE-2020-10', 'HIGH', true),
      finding('CVE-2020-11', 'HIGH', false),
      finding('CVE-2020-12', 'CRITICAL', false),
      finding('CVE-2020-13', 'LOW', true, { effectiveSeverity: 'CRITICAL' }),
      finding('CVE-2020-14', 'CRITICAL', true, { effectiveSeverity: 'LOW' }),
    ]);
    const decision = await run({
      request,
      policies: policies({ imageSecurityPolicies: [limits] }),
      metadata,
    });
    expect(decision.allowed).toBe(false);
    expect(decision.violations).toHaveLength(1);
    expect(decision.violations[0]).toMatchObject({
      code: 'VULNERABILITIES',
      policy: 'ImageSecurityPolicy default/vulnz',
      reason:
        '3 vulnerabilities are above the limits (fixable: MEDIUM, no fix: HIGH): CVE-2020-10 (HIGH, fix available), CVE-2020-12 (CRITICAL, no fix), CVE-2020-13 (CRITICAL, fix available)',
    });
    expect(metadata.calls).toEqual([`vulnerabilities team ${URL_A}`]);
  });

  it('skips allowlisted CVEs in every spelling', async () => {
    const metadata = new MemoryMetadata().setVulnerabilities('team', URL_A, [
      finding('CVE-2017-1000081', 'CRITICAL', true),
      finding('CVE-2020-2', 'CRITICAL', true),
      finding('CVE-2020-3', 'CRITICAL', true),
    ]);
    const decision = await run({
      request,
      policies: policies({ imageSecurityPolicies: [limits] }),
      metadata,
    });
    expect(decision.allowed).toBe(true);
  });

  it('applies BLOCK_ALL and ALLOW_ALL', async () => {
    const metadata = new MemoryMetadata().setVulnerabilities('team', URL_A, [
      finding('CVE-1', 'MINIMAL', true),
    ]);
    const block = isp('block', { packageVulnerabilityRequirements: { maximumSeverity: 'BLOCK_ALL' } });
    const allowAll = isp('allow', { packageVulnerabilityRequirements: { maximumSeverity: 'ALLOW_ALL' } });
    expect(
      (await run({ request, policies: policies({ imageSecurityPolicies: [block] }), metadata })).allowed,
    ).toBe(false);
    expect(
      (await run({ request, policies: policies({ imageSecurityPolicies: [allowAll] }), metadata })).allowed,
    ).toBe(true);
  });

  it('looks up other registries in the configured project, and refuses when there is none', async () => {
    const image = `quay.io/team/app@${DIGEST_A}`;
    const metadata = new MemoryMetadata().setVulnerabilities(
      'scans',
      `https://quay.io/team/app@${DIGEST_A}`,
      [],
    );
    const configured = await run({
      request: podRequest([image]),
      policies: policies({ imageSecurityPolicies: [limits] }),
      metadata,
      settings: { vulnerabilityProject: 'scans' },
    });
    expect(configured.allowed).toBe(true);
    const missing = await run({
      request: podRequest([image]),
      policies: policies({ imageSecurityPolicies: [limits] }),
      metadata,
    });
    expect(missing.violations.map((v) => v.code)).toEqual(['NO_VULNERABILITY_PROJECT']);
  });

  it('every ImageSecurityPolicy must pass', async () => {
    const metadata = new MemoryMetadata().setVulnerabilities('team', URL_A, [finding('CVE-9', 'HIGH', true)]);
    const lenient = isp('lenient', {});
    const strict = isp('strict', { packageVulnerabilityRequirements: { maximumSeverity: 'LOW' } });
    const decision = await run({
      request,
      policies: policies({ imageSecurityPolicies: [lenient, strict] }),
      metadata,
    });
    expect(decision.violations.map((v) => v.policy)).toEqual(['ImageSecurityPolicy default/strict']);
  });
});

describe('namespace defaults, breakglass, DryRun', () => {
  it('admits without policy by default and denies when the cluster says deny', async () => {
    const request = podRequest(['nginx:latest']);
    expect((await run({ request })).allowed).toBe(true);
    const denied = await run({ request, settings: { noPolicy: 'deny' } });
    expect(denied.violations.map((v) => [v.image, v.code])).toEqual([['nginx:latest', 'NO_POLICY']]);
  });

  it('breakglass (Kritis annotation or Binary Authorization label) admits, with warning and audit', async () => {
    for (const marker of [
      { annotations: { 'kritis.grafeas.io/breakglass': 'true' } },
      { labels: { 'image-policy.k8s.io/break-glass': 'true' } },
    ]) {
      const decision = await run({
        request: podRequest(['nginx:latest'], marker),
        policies: attestationPolicies(),
      });
      expect(decision.allowed).toBe(true);
      expect(decision.breakglass).toBe(true);
      expect(decision.warnings[0]).toMatch(/^Pod default\/web admitted by breakglass \((annotation|label) /);
      expect(decision.auditAnnotations.breakglass).toBe('true');
    }
  });

  it('ignores breakglass when the cluster turned it off, and says so', async () => {
    const decision = await run({
      request: podRequest(['nginx:latest'], { annotations: { 'kritis.grafeas.io/breakglass': 'true' } }),
      policies: attestationPolicies(),
      settings: { breakglass: 'off' },
    });
    expect(decision.allowed).toBe(false);
    expect(decision.breakglass).toBe(false);
    expect(decision.warnings).toEqual([
      'breakglass is turned off on this cluster: the request is judged like any other',
    ]);
  });

  it('warns when a workload has breakglass but its pod template does not', async () => {
    const deployment = {
      kind: { kind: 'Deployment' },
      operation: 'CREATE',
      namespace: 'default',
      name: 'd',
      object: {
        metadata: { name: 'd', annotations: { 'kritis.grafeas.io/breakglass': 'true' } },
        spec: {
          template: {
            metadata: { labels: { app: 'd' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      },
    };
    const decision = await run({ request: deployment, policies: attestationPolicies() });
    expect(decision.allowed).toBe(true);
    expect(decision.warnings[1]).toBe(
      'breakglass is not set in the pod template: the Pods this creates will be judged',
    );
  });

  it('DryRun policies admit and report as warnings and audit annotations', async () => {
    const dry = policies({
      authorities: [pgpAuthority('qa', qa.publicKeyBase64, NOTE)],
      genericAttestationPolicies: [
        gap('dry-gap', { attestationAuthorityNames: ['qa'], enforcementMode: 'DryRun' }),
      ],
      imageSecurityPolicies: [isp('dry-isp', { enforcementMode: 'DryRun' })],
    });
    const decision = await run({ request: podRequest([`${APP}:v1`]), policies: dry });
    expect(decision.allowed).toBe(true);
    expect(decision.violations).toEqual([]);
    expect(decision.dryRunViolations.map((v) => [v.policy, v.code])).toEqual([
      ['GenericAttestationPolicy default/dry-gap', 'NOT_PINNED'],
      ['ImageSecurityPolicy default/dry-isp', 'NOT_PINNED'],
    ]);
    expect(decision.warnings[0]).toMatch(
      /^DryRun GenericAttestationPolicy default\/dry-gap would deny gcr.io\/team\/app:v1: /,
    );
    expect(JSON.parse(decision.auditAnnotations['dryrun-violations']!)).toHaveLength(2);
  });

  it('a DryRun policy’s allowlist does not relax an enforced policy', async () => {
    const list = attestationPolicies();
    list.genericAttestationPolicies.push(
      gap('dry-open', {
        attestationAuthorityNames: ['qa'],
        enforcementMode: 'DryRun',
        admissionAllowlistPatterns: [{ namePattern: 'gcr.io/**' }],
      }),
    );
    const decision = await run({ request: podRequest([`${APP}@${DIGEST_B}`]), policies: list });
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => v.policy)).toEqual(['GenericAttestationPolicy default/require-qa']);
    expect(decision.dryRunViolations).toEqual([]);
  });

  it('an enforced policy still denies beside a DryRun one', async () => {
    const mixed = policies({
      imageSecurityPolicies: [isp('dry', { enforcementMode: 'DryRun' }), isp('real', {})],
    });
    const decision = await run({ request: podRequest([`${APP}:v1`]), policies: mixed });
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => v.policy)).toEqual(['ImageSecurityPolicy default/real']);
    expect(decision.dryRunViolations.map((v) => v.policy)).toEqual(['ImageSecurityPolicy default/dry']);
  });
});

describe('UPDATE', () => {
  it('does not re-judge images already in oldObject, and judges changed ones', async () => {
    const unchanged = await run({
      request: podRequest([`${APP}:v1`], { operation: 'UPDATE', oldImages: [`${APP}:v1`] }),
      policies: attestationPolicies(),
    });
    expect(unchanged).toMatchObject({ allowed: true, images: { judged: [], unchanged: [`${APP}:v1`] } });
    const changed = await run({
      request: podRequest([`${APP}:v2`], { operation: 'UPDATE', oldImages: [`${APP}:v1`] }),
      policies: attestationPolicies(),
    });
    expect(changed.allowed).toBe(false);
    expect(changed.images.judged).toEqual([`${APP}:v2`]);
  });

  it('leaves DELETE and CONNECT alone', async () => {
    for (const operation of ['DELETE', 'CONNECT']) {
      expect(
        (await run({ request: podRequest(['x'], { operation }), settings: { noPolicy: 'deny' } })).allowed,
      ).toBe(true);
    }
  });
});

describe('failures', () => {
  it('denies when the metadata backend fails, naming it', async () => {
    const metadata = new MemoryMetadata();
    metadata.attestationFailure = new Error('503 Service Unavailable');
    const decision = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: attestationPolicies(),
      metadata,
    });
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]).toMatchObject({
      code: 'BACKEND_FAILED',
      reason: `reading attestations of note ${NOTE} from the metadata backend (test store) failed: 503 Service Unavailable`,
    });
  });

  it('admits with a warning under fail-open', async () => {
    const metadata = new MemoryMetadata();
    metadata.attestationFailure = new Error('connection refused');
    metadata.vulnerabilityFailure = new Error('connection refused');
    const list = attestationPolicies();
    list.imageSecurityPolicies = [isp('vulnz', {})];
    const decision = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: list,
      metadata,
      settings: { onBackendError: 'allow' },
    });
    expect(decision.allowed).toBe(true);
    const full = `admitted ${APP}@${DIGEST_A} without checking it (fail-open): reading attestations of note ${NOTE} from the metadata backend (test store) failed: connection refused`;
    expect(decision.warnings).toEqual([
      // Warnings are clipped to 250 characters: the API server may truncate longer ones.
      `${full.slice(0, 249)}…`,
      `admitted ${APP}@${DIGEST_A} without checking it (fail-open): reading vulnerabilities in project team from the metadata backend (test store) failed: connection refused`,
    ]);
  });

  it('fails the namespace closed on an invalid policy, naming resource and field; breakglass still works', async () => {
    const invalid = {
      kind: 'ImageSecurityPolicy',
      name: 'typo',
      namespace: 'default',
      issues: [
        {
          field: 'spec.packageVulnerabilityRequirements.maximumSeverty',
          message: 'is not a field of this resource',
          fix: 'did you mean maximumSeverity?',
        },
      ],
    };
    const decision = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: policies({ invalid: [invalid] }),
    });
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]).toMatchObject({
      image: '*',
      policy: 'ImageSecurityPolicy default/typo',
      code: 'POLICY_INVALID',
    });
    expect(decision.message).toContain(
      'spec.packageVulnerabilityRequirements.maximumSeverty is not a field of this resource',
    );
    expect(decision.message.split('\n')[1]).toBe('every image:');
    const glass = await run({
      request: podRequest(['x'], { annotations: { 'kritis.grafeas.io/breakglass': 'true' } }),
      policies: policies({ invalid: [invalid] }),
    });
    expect(glass.allowed).toBe(true);
  });

  it('lists every violation of every image', async () => {
    const list = attestationPolicies();
    list.imageSecurityPolicies = [isp('vulnz', {})];
    const decision = await run({
      request: podRequest(['a:1', `${APP}@${DIGEST_B}`, 'Bad Image']),
      policies: list,
    });
    expect(decision.violations.map((v) => [v.image, v.code])).toEqual([
      ['a:1', 'NOT_PINNED'],
      ['a:1', 'NOT_PINNED'],
      [`${APP}@${DIGEST_B}`, 'NOT_ATTESTED'],
      ['Bad Image', 'REFERENCE_INVALID'],
    ]);
    for (const v of decision.violations) expect(decision.message).toContain(`image ${v.image}:`);
    expect(decision.message.startsWith('Signet denied Pod default/web: 3 images failed policy.')).toBe(true);
  });

  it('denies a request it cannot read', async () => {
    const decision = await run({ request: { operation: 'CREATE' } });
    expect(decision).toMatchObject({
      allowed: false,
      violations: [{ code: 'REQUEST_INVALID', reason: 'the admission request names no kind' }],
    });
  });

  it('never throws on arbitrary requests and policies (property)', async () => {
    const metadata = await signedStore();
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.anything(), async (request, object, policyJunk) => {
        const withObject = { kind: { kind: 'Pod' }, operation: 'CREATE', object, oldObject: object };
        for (const input of [request, withObject]) {
          const decision = await decide({
            request: input,
            policies: policyJunk as NamespacePolicies,
            metadata,
            settings: policyJunk as never,
          });
          expect(typeof decision.allowed).toBe('boolean');
          expect(Array.isArray(decision.violations)).toBe(true);
          if (!decision.allowed) expect(decision.message).not.toBe('');
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('PGP signatures made by GnuPG', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = new GpgHome();
  });
  afterAll(() => gpg.close());

  it('accepts `gpg --sign` attached and v1 detached signatures', async () => {
    const fingerprint = gpg.generate('Release <release@example.com>');
    const releaseAuthority = authority('release', {
      noteReference: NOTE,
      publicKeys: [
        { keyType: 'PGP', keyId: fingerprint, asciiArmoredPgpPublicKey: gpg.publicKeyBase64(fingerprint) },
      ],
    });
    const list = policies({
      authorities: [releaseAuthority],
      genericAttestationPolicies: [gap('g', { attestationAuthorityNames: ['release'] })],
    });
    const payload = buildPayload({ name: APP, digest: DIGEST_A });

    const attached = new MemoryMetadata().addAttestation(NOTE, URL_A, {
      noteName: NOTE,
      signature: { form: 'pgp', signature: gpg.signAttached(fingerprint, payload), keyId: fingerprint },
    });
    expect(
      (await run({ request: podRequest([`${APP}@${DIGEST_A}`]), policies: list, metadata: attached }))
        .allowed,
    ).toBe(true);

    const detached = new MemoryMetadata().addAttestation(NOTE, URL_A, {
      noteName: NOTE,
      signature: {
        form: 'generic',
        serializedPayload: payload,
        signatures: [
          {
            publicKeyId: `openpgp4fpr:${fingerprint.toLowerCase()}`,
            signature: gpg.signDetached(fingerprint, payload),
          },
        ],
      },
    });
    expect(
      (await run({ request: podRequest([`${APP}@${DIGEST_A}`]), policies: list, metadata: detached }))
        .allowed,
    ).toBe(true);

    // An attached signature in a v1 attestation counts only if it signs exactly serializedPayload.
    const otherPayload = buildPayload({ name: APP, digest: DIGEST_B });
    const mismatched = new MemoryMetadata().addAttestation(NOTE, URL_A, {
      noteName: NOTE,
      signature: {
        form: 'generic',
        serializedPayload: payload,
        signatures: [
          {
            publicKeyId: fingerprint,
            signature: new Uint8Array(Buffer.from(gpg.signAttached(fingerprint, otherPayload))),
          },
        ],
      },
    });
    const refused = await run({
      request: podRequest([`${APP}@${DIGEST_A}`]),
      policies: list,
      metadata: mismatched,
    });
    expect(refused.allowed).toBe(false);
    expect(refused.violations[0]!.reason).toContain(
      'signs different content than the attestation’s serializedPayload',
    );
  });
});

describe('the decision says why, per image, without anyone reading its messages', () => {
  const image = `${APP}@${DIGEST_A}`;
  const unsigned = `${APP}@${DIGEST_B}`;

  it('policy: one ImageDecision per judged image; a denial by policy', async () => {
    const decision = await run({
      request: podRequest([image, unsigned]),
      policies: attestationPolicies(),
      metadata: await signedStore(),
    });
    expect(decision).toMatchObject({ allowed: false, reason: 'policy', denial: 'policy', failOpen: false });
    expect(decision.perImage.map((d) => [d.image, d.allowed, d.violations.map((v) => v.code)])).toEqual([
      [image, true, []],
      [unsigned, false, ['NOT_ATTESTED']],
    ]);
  });

  it('backend-error: a denial only a retry can change, or an admission by fail-open', async () => {
    const metadata = new MemoryMetadata();
    metadata.attestationFailure = new Error('connection refused');
    const input = { request: podRequest([image]), policies: attestationPolicies(), metadata };
    const denied = await run(input);
    expect(denied).toMatchObject({
      allowed: false,
      reason: 'backend-error',
      denial: 'backend',
      failOpen: false,
    });
    const admitted = await run({ ...input, settings: { onBackendError: 'allow' } });
    expect(admitted).toMatchObject({ allowed: true, reason: 'backend-error', failOpen: true });
    expect(admitted.denial).toBeUndefined();
    expect(admitted.perImage[0]?.toleratedFailures.map((v) => [v.code, v.policy])).toEqual([
      ['BACKEND_FAILED', 'GenericAttestationPolicy default/require-qa'],
    ]);
  });

  it('a backend failure beside a policy violation is still a backend error, but not a retryable denial', async () => {
    const metadata = await signedStore();
    metadata.vulnerabilityFailure = new Error('connection refused');
    const list = attestationPolicies();
    list.imageSecurityPolicies = [isp('vulnz', {})];
    const decision = await run({ request: podRequest([image, unsigned]), policies: list, metadata });
    expect(decision).toMatchObject({ allowed: false, reason: 'backend-error', denial: 'policy' });
  });

  it('no-policy, not-reviewed, breakglass, invalid-policy, malformed-request and internal-error', async () => {
    const reasonOf = async (input: Partial<DecisionInput> & Pick<DecisionInput, 'request'>) => {
      const d = await run(input);
      return [d.reason, d.allowed, d.denial];
    };
    expect(await reasonOf({ request: podRequest([image]) })).toEqual(['no-policy', true, undefined]);
    expect(await reasonOf({ request: podRequest([image]), settings: { noPolicy: 'deny' } })).toEqual([
      'no-policy',
      false,
      'policy',
    ]);
    expect(await reasonOf({ request: podRequest([image], { operation: 'DELETE' }) })).toEqual([
      'not-reviewed',
      true,
      undefined,
    ]);
    expect(
      await reasonOf({
        request: podRequest([unsigned], { annotations: { 'kritis.grafeas.io/breakglass': 'true' } }),
        policies: attestationPolicies(),
      }),
    ).toEqual(['breakglass', true, undefined]);
    const invalid = {
      kind: 'ImageSecurityPolicy' as const,
      name: 'typo',
      namespace: 'default',
      issues: [{ field: 'spec', message: 'is wrong', fix: 'fix it' }],
    };
    expect(
      await reasonOf({
        request: podRequest([image]),
        policies: { ...attestationPolicies(), invalid: [invalid] },
        metadata: await signedStore(),
      }),
    ).toEqual(['invalid-policy', false, 'policy']);
    expect(await reasonOf({ request: { not: 'a request' } })).toEqual([
      'malformed-request',
      false,
      'request',
    ]);
    const broken = Object.defineProperty({}, 'authorities', {
      get() {
        throw new Error('a broken policy list');
      },
    }) as NamespacePolicies;
    expect(await reasonOf({ request: podRequest([image]), policies: broken })).toEqual([
      'internal-error',
      false,
      'internal',
    ]);
  });
});
