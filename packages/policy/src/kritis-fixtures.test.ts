import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildPayload, pkixKeyId, readPgpPublicKeys, signPgpAttached } from '@signet/signing';
import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { collectNamespacePolicies, type DocumentResult, parseYamlDocuments } from './documents.js';
import type { MetadataSource } from './metadata.js';
import type { NamespacePolicies, PolicyResource } from './resource-types.js';
import { KRITIS_DIR, PROJECT, readKritis } from './test-support/kritis.js';
import { finding, MemoryMetadata } from './test-support/memory-metadata.js';
import { extractImages } from './workload.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [relative(KRITIS_DIR, path)];
  });
}

const yamlFiles = walk(KRITIS_DIR).filter((f) => f.endsWith('.yaml'));
const POLICY_FILES = new Set([
  'artifacts/examples/attestation-authority-example.yaml',
  'artifacts/examples/generic-attestation-policy-example.yaml',
  'artifacts/examples/image-security-policy-example.yaml',
  'integration/signer/policy_loose.yaml',
  'integration/signer/policy_strict.yaml',
  'integration/testdata/generic-attestation-policy/my-gap.yaml',
  'integration/testdata/generic-attestation-policy/test-attestor-1.yaml',
  'integration/testdata/generic-attestation-policy/test-attestor-2.yaml',
  'integration/testdata/image-security-policy/my-isp.yaml',
  'samples/signer/policy-loose.yaml',
  'samples/signer/policy-strict.yaml',
]);

function single(file: string): DocumentResult {
  const results = parseYamlDocuments(readKritis(file));
  expect(results).toHaveLength(1);
  return results[0]!;
}

function resource(file: string): PolicyResource {
  const result = single(file);
  if (result.status !== 'resource') throw new Error(`${file} did not parse: ${JSON.stringify(result)}`);
  return result.resource;
}

describe('every Kritis fixture parses', () => {
  it('found the fixtures', () => {
    expect(yamlFiles.length).toBe(32);
  });

  it.each(yamlFiles)('%s', (file) => {
    const result = single(file);
    if (POLICY_FILES.has(file)) {
      expect(result.status).toBe('resource');
    } else {
      expect(result.status).toBe('other');
    }
  });

  it('reads the authorities’ keys and their declared fingerprints', async () => {
    const one = resource('integration/testdata/generic-attestation-policy/test-attestor-1.yaml');
    expect(one).toMatchObject({
      kind: 'AttestationAuthority',
      noteName: `projects/${PROJECT}/notes/test-attestor-1`,
      keys: [{ type: 'PGP', fingerprint: '88D27A9C701BD8391D372E5CCD415CBF850E2029' }],
    });
    if (one.kind !== 'AttestationAuthority' || one.keys[0]?.type !== 'PGP') throw new Error('unexpected');
    const [key] = await readPgpPublicKeys(one.keys[0].armoredKey);
    expect(key!.fingerprint).toBe('88D27A9C701BD8391D372E5CCD415CBF850E2029');
  });

  it('reads the ImageSecurityPolicy with its allowlists and limits', () => {
    expect(resource('integration/testdata/image-security-policy/my-isp.yaml')).toEqual({
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'my-isp' },
      imageAllowlist: [
        `gcr.io/${PROJECT}/nginx-digest-whitelist:latest`,
        `gcr.io/${PROJECT}/nginx-digest-whitelist@sha256:56e0af16f4a9d2401d3f55bc8d214d519f070b5317512c87568603f315a8be72`,
      ],
      maximumSeverity: 'HIGH',
      maximumFixUnavailableSeverity: 'ALLOW_ALL',
      allowlistCVEs: [
        'providers/goog-vulnz/notes/CVE-2017-1000082',
        'providers/goog-vulnz/notes/CVE-2017-1000081',
      ],
      enforcementMode: 'Enforce',
      requireScan: false,
    });
  });

  it('reads the signer policies', () => {
    expect(resource('integration/signer/policy_strict.yaml')).toMatchObject({
      kind: 'VulnzSigningPolicy',
      maximumFixableSeverity: 'MEDIUM',
      maximumUnfixableSeverity: 'MEDIUM',
      allowlistCVEs: ['projects/goog-vulnz/notes/CVE-2021-20305'],
    });
  });

  it('says why the other Kritis kinds are ignored', () => {
    expect(single('artifacts/examples/build-policy-example.yaml')).toMatchObject({
      status: 'other',
      kind: 'BuildPolicy',
      note: 'BuildPolicy is a Kritis kind that Signet does not enforce (Kritis did not either); ignored',
    });
  });

  it('finds the workloads’ images', () => {
    const images = (file: string) => {
      const result = single(file);
      if (result.status !== 'other') throw new Error(file);
      return extractImages(result.object, result.kind).map((i) => i.image);
    };
    expect(images('integration/testdata/nginx/nginx-deployment.yaml')).toEqual(['nginx:1.7.9']);
    expect(
      images('integration/testdata/kritis-server/kritis-server-global-allowlist-with-vulnz.yaml'),
    ).toEqual([
      'gcr.io/kritis-project/kritis-server:global-whitelist-int-test',
      `gcr.io/${PROJECT}/java-with-vulnz@sha256:358687cfd3ec8e1dfeb2bf51b5110e4e16f6df71f64fba01986f720b2fcba68a`,
    ]);
  });

  it('reads the other keys: PGP secret keys (public part) and the EC key pair', async () => {
    for (const file of [
      'integration/testdata/keys/attestor-1-secret-key.pgp',
      'integration/signer/public.key',
    ]) {
      const keys = await readPgpPublicKeys(readFileSync(join(KRITIS_DIR, file), 'utf8'));
      expect(keys.length).toBeGreaterThan(0);
    }
    expect(pkixKeyId(readFileSync(join(KRITIS_DIR, 'integration/signer/ec_public.pem'), 'utf8'))).toMatch(
      /^ni:\/\/\/sha-256;/,
    );
  });
});

/** The README's outcomes, with metadata built to match Container Analysis's scan results. */
describe('Kritis integration outcomes', () => {
  const JAVA = `https://gcr.io/${PROJECT}/java-with-vulnz@sha256:358687cfd3ec8e1dfeb2bf51b5110e4e16f6df71f64fba01986f720b2fcba68a`;
  const ACCEPTABLE = `https://gcr.io/${PROJECT}/acceptable-vulnz@sha256:2a81797428f5cab4592ac423dc3049050b28ffbaa3dd11000da942320f9979b6`;
  const NGINX = `https://gcr.io/${PROJECT}/nginx-digest-whitelist@sha256:56e0af16f4a9d2401d3f55bc8d214d519f070b5317512c87568603f315a8be72`;
  // Signatures are made and judged while the Kritis test keys were valid (they expired in March 2022).
  const SIGNED_AT = new Date('2021-06-01T00:00:00Z');
  const JUDGED_AT = new Date('2021-06-02T00:00:00Z');

  const vulnerabilities = new MemoryMetadata()
    .setVulnerabilities(PROJECT, JAVA, [
      finding('CVE-2013-7445', 'HIGH', true),
      finding('CVE-2015-8985', 'CRITICAL', true),
      finding('CVE-2017-1000082', 'CRITICAL', true),
    ])
    .setVulnerabilities(PROJECT, ACCEPTABLE, [
      finding('CVE-2019-1', 'HIGH', true),
      finding('CVE-2019-2', 'CRITICAL', false),
      finding('CVE-2017-1000081', 'CRITICAL', true),
    ]);

  function request(file: string): Record<string, unknown> {
    const result = single(file);
    if (result.status !== 'other') throw new Error(file);
    return { kind: { kind: result.kind }, operation: 'CREATE', namespace: 'default', object: result.object };
  }

  function policiesFrom(...files: string[]): NamespacePolicies {
    const results = files.flatMap((file) => parseYamlDocuments(readKritis(file)));
    const policies = collectNamespacePolicies(results, 'default');
    expect(policies.invalid).toEqual([]);
    return policies;
  }

  const isp = () => policiesFrom('integration/testdata/image-security-policy/my-isp.yaml');
  const judge = (
    file: string,
    policies: NamespacePolicies,
    metadata: MetadataSource = vulnerabilities,
    now = JUDGED_AT,
  ) => decide({ request: request(file), policies, metadata, now });

  it.each([
    ['nginx/nginx-no-digest.yaml', false, ['NOT_PINNED']],
    ['nginx/nginx-no-digest-allowlist.yaml', true, []],
    ['nginx/nginx-digest-allowlist.yaml', true, []],
    ['java/java-with-vulnz.yaml', false, ['VULNERABILITIES']],
    ['java/java-with-vulnz-deployment.yaml', false, ['VULNERABILITIES']],
    ['java/java-with-vulnz-replicaset.yaml', false, ['VULNERABILITIES']],
    ['nginx/nginx-no-digest-breakglass.yaml', true, []],
    ['java/java-with-vulnz-breakglass-deployment.yaml', true, []],
    ['java/java-with-vulnz-breakglass-replicaset.yaml', true, []],
    ['vulnz/acceptable-vulnz.yaml', true, []],
    ['vulnz/acceptable-vulnz-replicaset.yaml', true, []],
  ])('with my-isp: %s admitted=%s', async (file, allowed, codes) => {
    const decision = await judge(`integration/testdata/${file}`, isp());
    expect(decision.allowed).toBe(allowed);
    expect(decision.violations.map((v) => v.code)).toEqual(codes);
    expect(decision.breakglass).toBe(file.includes('breakglass'));
  });

  it('names the CVEs above HIGH, not the allowlisted or acceptable ones', async () => {
    const decision = await judge('integration/testdata/java/java-with-vulnz.yaml', isp());
    expect(decision.violations[0]!.reason).toBe(
      '1 vulnerability is above the limits (fixable: HIGH, no fix: ALLOW_ALL): CVE-2015-8985 (CRITICAL, fix available)',
    );
  });

  describe('with my-gap (test-attestor-1 and test-attestor-2)', () => {
    let gapPolicies: NamespacePolicies;
    let attestedByOne: MemoryMetadata;
    let attestedByBoth: MemoryMetadata;

    beforeAll(async () => {
      gapPolicies = policiesFrom(
        'integration/testdata/generic-attestation-policy/my-gap.yaml',
        'integration/testdata/generic-attestation-policy/test-attestor-1.yaml',
        'integration/testdata/generic-attestation-policy/test-attestor-2.yaml',
      );
      const payload = buildPayload({
        name: `gcr.io/${PROJECT}/nginx-digest-whitelist`,
        digest: 'sha256:56e0af16f4a9d2401d3f55bc8d214d519f070b5317512c87568603f315a8be72',
      });
      const sign = async (n: 1 | 2) => {
        const key = readFileSync(
          join(KRITIS_DIR, `integration/testdata/keys/attestor-${n}-secret-key.pgp`),
          'utf8',
        );
        const { signature, keyFingerprint } = await signPgpAttached(payload, key, { date: SIGNED_AT });
        const noteName = `projects/${PROJECT}/notes/test-attestor-${n}`;
        return { noteName, signature: { form: 'pgp' as const, signature, keyId: keyFingerprint } };
      };
      const [one, two] = await Promise.all([sign(1), sign(2)]);
      expect(one.signature.keyId).toBe('88D27A9C701BD8391D372E5CCD415CBF850E2029');
      attestedByOne = new MemoryMetadata().addAttestation(one.noteName, NGINX, one);
      attestedByBoth = new MemoryMetadata()
        .addAttestation(one.noteName, NGINX, one)
        .addAttestation(two.noteName, NGINX, two);
    });

    it('denies nginx-digest attested by test-attestor-1 only, naming test-attestor-2', async () => {
      const decision = await judge(
        'integration/testdata/nginx/nginx-digest.yaml',
        gapPolicies,
        attestedByOne,
      );
      expect(decision.allowed).toBe(false);
      expect(decision.violations.map((v) => [v.policy, v.reason])).toEqual([
        [
          'GenericAttestationPolicy my-gap',
          `no attestation by AttestationAuthority test-attestor-2 (note projects/${PROJECT}/notes/test-attestor-2)`,
        ],
      ]);
    });

    it('denies java-with-digest with no attestation at all, naming both authorities', async () => {
      const decision = await judge(
        'integration/testdata/java/java-with-digest.yaml',
        gapPolicies,
        attestedByOne,
      );
      expect(decision.violations.map((v) => v.reason)).toEqual([
        `no attestation by AttestationAuthority test-attestor-1 (note projects/${PROJECT}/notes/test-attestor-1)`,
        `no attestation by AttestationAuthority test-attestor-2 (note projects/${PROJECT}/notes/test-attestor-2)`,
      ]);
    });

    it('admits nginx-digest attested by both, while their keys were valid', async () => {
      expect(
        (await judge('integration/testdata/nginx/nginx-digest.yaml', gapPolicies, attestedByBoth)).allowed,
      ).toBe(true);
    });

    it('denies the same attestations today: the Kritis test keys expired in 2022', async () => {
      const decision = await judge(
        'integration/testdata/nginx/nginx-digest.yaml',
        gapPolicies,
        attestedByBoth,
        new Date('2026-01-01T00:00:00Z'),
      );
      expect(decision.allowed).toBe(false);
      expect(decision.violations).toHaveLength(2);
      for (const violation of decision.violations)
        expect(violation.reason).toMatch(/key [0-9A-F]{40} expired on 2022-03-2\dT.* \(now\)/);
    });
  });
});
