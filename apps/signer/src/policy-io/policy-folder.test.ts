import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../common/cli-error.js';
import { readAttestationAuthority } from './policy-files.js';
import { policiesFor, readPolicyFolder } from './policy-folder.js';

const isp = (namespace: string) => `apiVersion: kritis.grafeas.io/v1beta1
kind: ImageSecurityPolicy
metadata:
  name: strict
  namespace: ${namespace}
spec:
  packageVulnerabilityRequirements:
    maximumSeverity: LOW
`;

describe('the policies folder of signet evaluate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-policies-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = async (run: () => Promise<unknown>) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  };

  it.each(['Prod', '"prod2 "', 'team_a'])(
    'refuses a policy whose namespace is %s, not a namespace name',
    async (ns) => {
      writeFileSync(join(dir, 'isp.yaml'), isp(ns));
      const error = await refusal(() => readPolicyFolder(dir));
      expect(error.code).toBe('POLICY_FILE_NAMESPACE');
      expect(error.message).toContain('isp.yaml: document 1: metadata.namespace');
      expect(error.message).toContain('a Kubernetes namespace name (a DNS-1123 label');
      expect(error.fix).not.toBe('');
    },
  );

  it.each([
    ['a near-miss kind and apiVersion', 'kritis.grafeas.io/v1beta', 'GenericAttestationPolicie'],
    ['a KritisConfig', 'kritis.grafeas.io/v1beta1', 'KritisConfig'],
    ['a ConfigMap', 'v1', 'ConfigMap'],
  ])('refuses a file holding %s beside a policy', async (_name, apiVersion, kind) => {
    writeFileSync(
      join(dir, 'mixed.yaml'),
      `${isp('prod')}---\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`,
    );
    const error = await refusal(() => readPolicyFolder(dir));
    expect(error.code).toBe('POLICY_FILE_NOT_A_POLICY');
    expect(error.message).toBe(
      `--policies file ${join(dir, 'mixed.yaml')}: document 2 is a ${kind}, not a policy`,
    );
    expect(error.fix).toContain(
      'keep only AttestationAuthority, GenericAttestationPolicy, ImageSecurityPolicy',
    );
  });

  it('reads a v1 List (kubectl get -o yaml) item by item', async () => {
    const item = (name: string, namespace: string) => ({
      apiVersion: 'kritis.grafeas.io/v1beta1',
      kind: 'ImageSecurityPolicy',
      metadata: { name, namespace },
      spec: { packageVulnerabilityRequirements: { maximumSeverity: 'LOW' } },
    });
    const list = { apiVersion: 'v1', kind: 'List', items: [item('strict', 'prod'), item('other', 'stage')] };
    writeFileSync(join(dir, 'list.json'), JSON.stringify(list));
    const folder = await readPolicyFolder(dir);
    expect(policiesFor(folder, 'prod').imageSecurityPolicies.map((p) => p.metadata.name)).toEqual(['strict']);
    expect(policiesFor(folder, 'stage').imageSecurityPolicies.map((p) => p.metadata.name)).toEqual(['other']);
  });

  it('refuses a List holding something else, naming the item', async () => {
    writeFileSync(
      join(dir, 'list.yaml'),
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n',
    );
    const error = await refusal(() => readPolicyFolder(dir));
    expect(error.message).toContain('document 1, items[0] is a Secret, not a policy');
  });

  it('refuses an --authority file holding anything but policies', async () => {
    mkdirSync(join(dir, 'a'));
    const file = join(dir, 'a', 'authority.yaml');
    writeFileSync(
      file,
      'apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata: {name: qa}\nspec: {noteReference: projects/p}\n---\napiVersion: kritis.grafeas.io/v1beta\nkind: AttestationAuthorit\nmetadata: {name: qa2}\n',
    );
    const error = await refusal(() => readAttestationAuthority(file));
    expect(error.code).toBe('POLICY_FILE_NOT_A_POLICY');
    expect(error.message).toContain('document 2 is a AttestationAuthorit, not a policy');
  });
});
