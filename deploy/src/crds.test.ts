import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GUIDE_RESOURCES,
  type KubeObject,
  objectKey,
  parseObjects,
  REPO_ROOT,
  runShell,
} from './guide-commands.js';
import { CrdValidator } from './test-support/crd-schema.js';

const KRITIS = join(process.env.SIGNET_TESTDATA ?? '', 'kritis');
const SEVERITIES = '"MINIMAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "BLOCK_ALL", "ALLOW_ALL"';

let crds: CrdValidator;
beforeAll(() => {
  crds = new CrdValidator(join(REPO_ROOT, 'deploy', 'crds.yaml'));
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('deploy/crds.yaml', () => {
  it('serves the three Kritis kinds in kritis.grafeas.io/v1beta1', () => {
    expect(crds.kinds()).toEqual([
      'kritis.grafeas.io/v1beta1 AttestationAuthority',
      'kritis.grafeas.io/v1beta1 GenericAttestationPolicy',
      'kritis.grafeas.io/v1beta1 ImageSecurityPolicy',
    ]);
  });

  describe("the guide's custom resources", () => {
    let dir: string;
    let objects: KubeObject[];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'signet-crds-'));
      copyFileSync(join(KRITIS, 'integration/signer/public.key'), join(dir, 'key.pub'));
      const values = {
        K8S_NAMESPACE: 'kritis',
        GCP_PROJECT: 'your-gcp-project-id',
        NOTE_NAME: 'seal-of-approval',
      };
      // GNU base64 wraps at 76 columns, which breaks the guide's YAML; the guide assumed an unwrapped one.
      objects = parseObjects(
        runShell(GUIDE_RESOURCES, values, { cwd: dir, prelude: 'base64() { command base64 -w0 "$@"; }' }),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('validate, as the guide writes them', () => {
      expect(objects.map(objectKey)).toEqual([
        'kritis.grafeas.io/v1beta1 ImageSecurityPolicy default/test-security-policy',
        'kritis.grafeas.io/v1beta1 AttestationAuthority default/seal-of-approval',
        'kritis.grafeas.io/v1beta1 GenericAttestationPolicy default/seal-of-approval-policy',
      ]);
      expect(objects.map((object) => crds.problems(object))).toEqual([[], [], []]);
    });
  });

  it("Kritis's own fixtures validate (every file of a served kind)", () => {
    const results = filesUnder(KRITIS)
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) =>
        parseObjects(readFileSync(file, 'utf8').replaceAll('{{ .Project }}', 'my-gcp-project'))
          .filter((object) => crds.kinds().includes(`${object.apiVersion} ${object.kind}`))
          .map((object) => ({ file: relative(KRITIS, file), problems: crds.problems(object) })),
      );
    expect(results.map((r) => r.file).sort()).toEqual([
      'artifacts/examples/attestation-authority-example.yaml',
      'artifacts/examples/generic-attestation-policy-example.yaml',
      'artifacts/examples/image-security-policy-example.yaml',
      'integration/testdata/generic-attestation-policy/my-gap.yaml',
      'integration/testdata/generic-attestation-policy/test-attestor-1.yaml',
      'integration/testdata/generic-attestation-policy/test-attestor-2.yaml',
      'integration/testdata/image-security-policy/my-isp.yaml',
    ]);
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  });

  describe('an AttestationAuthority with spec.cosign (issue 23)', () => {
    const authority = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'kritis.grafeas.io/v1beta1',
      kind: 'AttestationAuthority',
      metadata: { name: 'build', namespace: 'default' },
      spec,
    });
    const cosign = {
      publicKeyData: 'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K',
      repository: 'registry.example/team/signatures',
      attestations: [{ predicateType: 'https://slsa.dev/provenance/v1' }],
    };

    it('validates with cosign only, a note only, or both', () => {
      expect(crds.problems(authority({ cosign }))).toEqual([]);
      expect(crds.problems(authority({ cosign: { publicKeyData: cosign.publicKeyData } }))).toEqual([]);
      expect(crds.problems(authority({ noteReference: 'projects/p', publicKeyData: 'LS0t' }))).toEqual([]);
      expect(
        crds.problems(authority({ noteReference: 'projects/p', publicKeyData: 'LS0t', cosign })),
      ).toEqual([]);
    });

    it('refuses a cosign part without its key, with a tagged repository or an unknown field', () => {
      expect(
        crds.problems(authority({ cosign: { repository: 'registry.example/sigs:v1', keyless: true } })),
      ).toEqual([
        'spec.cosign.keyless: field not declared in schema',
        'spec.cosign.publicKeyData: Required value',
        expect.stringMatching(/^spec\.cosign\.repository: Invalid value: "registry\.example\/sigs:v1"/),
      ]);
    });
  });

  describe('refuses mistakes with a message naming the field', () => {
    const isp = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'kritis.grafeas.io/v1beta1',
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'test-security-policy', namespace: 'default' },
      spec,
    });

    it('a typo in a field name (which Kritis silently read as "no requirement")', () => {
      const typo = isp({ packageVulnerabilityRequirement: { maximumSeverity: 'MEDIUM' } });
      expect(crds.problems(typo)).toEqual([
        'spec.packageVulnerabilityRequirement: field not declared in schema',
      ]);
    });

    it('a typo nested deeper', () => {
      const typo = isp({ packageVulnerabilityRequirements: { maximumSeverty: 'MEDIUM' } });
      expect(crds.problems(typo)).toEqual([
        'spec.packageVulnerabilityRequirements.maximumSeverty: field not declared in schema',
      ]);
    });

    it('a wrong severity value', () => {
      const wrong = isp({
        packageVulnerabilityRequirements: {
          maximumSeverity: 'SEVERE',
          maximumFixUnavailableSeverity: 'high',
        },
      });
      expect(crds.problems(wrong)).toEqual([
        `spec.packageVulnerabilityRequirements.maximumFixUnavailableSeverity: Unsupported value: "high": supported values: ${SEVERITIES}`,
        `spec.packageVulnerabilityRequirements.maximumSeverity: Unsupported value: "SEVERE": supported values: ${SEVERITIES}`,
      ]);
    });

    it('an AttestationAuthority with neither a note nor a cosign key, and a policy naming its authorities in the singular', () => {
      const authority: KubeObject = {
        apiVersion: 'kritis.grafeas.io/v1beta1',
        kind: 'AttestationAuthority',
        metadata: { name: 'seal-of-approval' },
        spec: { publicKeyData: 'LS0t' },
      };
      expect(crds.problems(authority)).toEqual([
        'spec.cosign: Required value',
        'spec.noteReference: Required value',
        'spec: must match a schema in anyOf',
      ]);
      const policy: KubeObject = {
        apiVersion: 'kritis.grafeas.io/v1beta1',
        kind: 'GenericAttestationPolicy',
        metadata: { name: 'seal-of-approval-policy' },
        spec: { attestationAuthorityName: 'seal-of-approval' },
      };
      expect(crds.problems(policy)).toEqual([
        'spec.attestationAuthorityName: field not declared in schema',
        'spec.attestationAuthorityNames: Required value',
      ]);
    });
  });
});
