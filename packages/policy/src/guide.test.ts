import { buildPayload } from '@signet/signing';
import { GpgHome } from '@signet/signing/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { collectNamespacePolicies, parseYamlDocuments } from './documents.js';
import type { NamespacePolicies } from './resource-types.js';
import { finding, MemoryMetadata } from './test-support/memory-metadata.js';

/**
 * Kritis's user guide (docs/tutorial.md and docs/resources.md), followed step by step: the key is
 * made and the image signed with real GnuPG, and the guide's manifests are applied as written
 * (the resources page's `kritis.github.com` group typo corrected to `kritis.grafeas.io`).
 */
const PROJECT = 'guide-project';
const DIGEST = 'sha256:358687cfd3ec8e1dfeb2bf51b5110e4e16f6df71f64fba01986f720b2fcba68a';
const IMAGE = `gcr.io/${PROJECT}/java-with-vulnz`;
const URL = `https://${IMAGE}@${DIGEST}`;

const manifests = (publicKey: string) => `
apiVersion: kritis.grafeas.io/v1beta1
kind: ImageSecurityPolicy
metadata:
  name: my-isp
  namespace: default
spec:
  packageVulnerabilityRequirements:
    maximumSeverity: MEDIUM
    allowlistCVEs:
      - providers/goog-vulnz/notes/CVE-2017-1000081
---
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata:
    name: my-attestor
    namespace: default
spec:
    noteReference: v1beta1/projects/${PROJECT}
    publicKeyData: ${publicKey}
---
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata:
    name: qa-attestator
    namespace: default
spec:
    noteReference: projects/image-attestor
    publicKeyData: ${publicKey}
---
apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata:
  name: my-gap
  namespace: default
spec:
  admissionAllowlistPatterns:
  - namePattern: gcr.io/1-my-image-any-tag:*
  - namePattern: gcr.io/2-my-image:latest
  attestationAuthorityNames:
  - my-attestor
`;

const pod = (image: string) => ({
  kind: { group: '', version: 'v1', kind: 'Pod' },
  operation: 'CREATE',
  namespace: 'default',
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'java-with-vulnz' },
    spec: { containers: [{ name: 'java-with-vulnz', image }] },
  },
});

describe('the user’s guide, end to end', () => {
  let gpg: GpgHome;
  let fingerprint: string;
  let policies: NamespacePolicies;
  let signature: string;

  beforeAll(() => {
    gpg = new GpgHome();
    // `gpg --quick-generate-key --yes attestor@example.com`, then `gpg --armor --export | base64 -w 0`.
    gpg.ok(['--quick-generate-key', '--yes', 'attestor@example.com']);
    fingerprint = gpg.fingerprints('attestor@example.com')[0]!;
    const results = parseYamlDocuments(manifests(gpg.publicKeyBase64(fingerprint)));
    policies = collectNamespacePolicies(results, 'default');
    // `gpg --armor --sign` of the image's payload, uploaded as a v1beta1 pgpSignedAttestation.
    signature = gpg.signAttached(fingerprint, buildPayload({ name: IMAGE, digest: DIGEST }));
  });
  afterAll(() => gpg.close());

  it('parses every manifest, with the notes the guide means', () => {
    expect(policies.invalid).toEqual([]);
    expect(policies.authorities.map((a) => a.noteName)).toEqual([
      `projects/${PROJECT}/notes/my-attestor`,
      'projects/image-attestor/notes/qa-attestator',
    ]);
    expect(policies.genericAttestationPolicies[0]!.allowlistPatterns).toEqual([
      'gcr.io/1-my-image-any-tag:*',
      'gcr.io/2-my-image:latest',
    ]);
    expect(policies.imageSecurityPolicies[0]).toMatchObject({
      maximumSeverity: 'MEDIUM',
      allowlistCVEs: ['providers/goog-vulnz/notes/CVE-2017-1000081'],
    });
  });

  function store(signedUrl: string) {
    return new MemoryMetadata()
      .addAttestation(`projects/${PROJECT}/notes/my-attestor`, signedUrl, {
        noteName: `projects/${PROJECT}/notes/my-attestor`,
        signature: { form: 'pgp', signature, keyId: fingerprint },
      })
      .setVulnerabilities(PROJECT, URL, [
        finding('CVE-2017-1000081', 'CRITICAL', true),
        finding('CVE-2019-5', 'MEDIUM', true),
      ]);
  }

  it('admits the signed image: the guide’s providers/ CVE allowlist matches (Kritis never matched it)', async () => {
    const decision = await decide({ request: pod(`${IMAGE}@${DIGEST}`), policies, metadata: store(URL) });
    expect(decision).toMatchObject({ allowed: true, violations: [], warnings: [] });
  });

  it('accepts the signature only for that digest', async () => {
    const other = 'sha256:0000000000000000000000000000000000000000000000000000000000000001';
    // The same signature, filed under another digest of the same repository.
    const decision = await decide({
      request: pod(`${IMAGE}@${other}`),
      policies,
      metadata: store(`https://${IMAGE}@${other}`),
    });
    expect(decision.allowed).toBe(false);
    expect(decision.violations.map((v) => v.reason)).toContainEqual(
      `the attestation by AttestationAuthority my-attestor is not valid: the signed payload is for digest ${DIGEST}, not ${other}`,
    );
  });

  it('denies the tag, as the guide shows', async () => {
    const decision = await decide({ request: pod(`${IMAGE}:latest`), policies, metadata: store(URL) });
    expect(decision.violations.map((v) => [v.policy, v.code])).toEqual([
      ['GenericAttestationPolicy default/my-gap', 'NOT_PINNED'],
      ['ImageSecurityPolicy default/my-isp', 'NOT_PINNED'],
    ]);
  });

  it('denies an image with vulnerabilities above MEDIUM, naming the CVEs', async () => {
    const metadata = store(URL).setVulnerabilities(PROJECT, URL, [
      finding('CVE-2013-7445', 'HIGH', true),
      finding('CVE-2015-8985', 'HIGH', true),
    ]);
    const decision = await decide({ request: pod(`${IMAGE}@${DIGEST}`), policies, metadata });
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain(
      'CVE-2013-7445 (HIGH, fix available), CVE-2015-8985 (HIGH, fix available)',
    );
  });

  it('admits the GAP’s allowlisted images by name', async () => {
    const onlyGap: NamespacePolicies = { ...policies, imageSecurityPolicies: [] };
    for (const image of ['gcr.io/1-my-image-any-tag:v7', 'gcr.io/2-my-image:latest']) {
      expect(
        (await decide({ request: pod(image), policies: onlyGap, metadata: new MemoryMetadata() })).allowed,
      ).toBe(true);
    }
    expect(
      (
        await decide({
          request: pod('gcr.io/2-my-image:v2'),
          policies: onlyGap,
          metadata: new MemoryMetadata(),
        })
      ).allowed,
    ).toBe(false);
  });
});
