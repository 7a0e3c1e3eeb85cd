import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NamespacePolicyResolver, registryProjectOf } from './namespace-policies.js';
import type { PolicyDocument, PolicyProblem, PolicySnapshot, PolicySource } from './policy-source.js';

const KRITIS = 'kritis.grafeas.io/v1beta1';

function sourceOf(documents: PolicyDocument[], problems: PolicyProblem[] = []) {
  let snapshot: PolicySnapshot = { generation: 1, documents, problems };
  const source: PolicySource = {
    snapshot: () => snapshot,
    readiness: () => ({ ready: true, reasons: [] }),
    onChange: () => {},
    start: async () => {},
    close: async () => {},
  };
  return {
    source,
    replace(next: PolicyDocument[]) {
      snapshot = { generation: snapshot.generation + 1, documents: next, problems: [] };
    },
  };
}

const gap = (name: string, namespace: string, extra: Record<string, unknown> = {}): PolicyDocument => ({
  source: `${name}.yaml`,
  namespace,
  document: {
    apiVersion: KRITIS,
    kind: 'GenericAttestationPolicy',
    metadata: { name },
    spec: { attestationAuthorityNames: ['qa'], ...extra },
  },
});

describe('NamespacePolicyResolver', () => {
  it('names the notes of the authorities that have one (a cosign-only authority has none to index)', () => {
    const authority = (name: string, spec: Record<string, unknown>): PolicyDocument => ({
      source: `${name}.yaml`,
      namespace: 'team-a',
      document: { apiVersion: KRITIS, kind: 'AttestationAuthority', metadata: { name }, spec },
    });
    const cosignKey = readFileSync(
      join(process.env.SIGNET_TESTDATA ?? '', 'cosign', 'keys', 'ecdsa-p256.pub'),
    );
    const { source } = sourceOf([
      authority('qa', { noteReference: 'projects/p/notes/qa' }),
      authority('build', { cosign: { publicKeyData: cosignKey.toString('base64') } }),
    ]);
    const resolver = new NamespacePolicyResolver(source);
    expect(resolver.forNamespace('team-a').authorities.map((a) => a.metadata.name)).toEqual(['qa', 'build']);
    expect(resolver.noteNames()).toEqual(['projects/p/notes/qa']);
  });

  it('places each resource in the namespace its source gave it', () => {
    const { source } = sourceOf([gap('a', 'team-a'), gap('b', 'team-b')]);
    const resolver = new NamespacePolicyResolver(source);
    expect(resolver.forNamespace('team-a').genericAttestationPolicies.map((p) => p.metadata.name)).toEqual([
      'a',
    ]);
    expect(resolver.forNamespace('team-b').genericAttestationPolicies.map((p) => p.metadata.name)).toEqual([
      'b',
    ]);
    expect(resolver.forNamespace('other').genericAttestationPolicies).toEqual([]);
  });

  it('reports an invalid resource in its namespace only, naming where it came from', () => {
    const { source } = sourceOf([
      gap('bad', 'team-a', { enforcementMode: 'Sometimes' }),
      gap('ok', 'team-b'),
    ]);
    const resolver = new NamespacePolicyResolver(source);
    const invalid = resolver.forNamespace('team-a').invalid;
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.name).toBe('bad');
    expect(invalid[0]?.issues[0]?.field).toBe('spec.enforcementMode');
    expect(invalid[0]?.issues[0]?.message).toContain('(bad.yaml)');
    expect(resolver.forNamespace('team-b').invalid).toEqual([]);
  });

  it('fails closed on any document that is not one of the three policy kinds', () => {
    const { source } = sourceOf([
      {
        source: 'typo.yaml',
        namespace: 'a',
        document: { apiVersion: KRITIS, kind: 'GenericAttestationPolicyy', metadata: { name: 't' } },
      },
      {
        source: 'cm.yaml',
        namespace: 'a',
        document: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      },
      {
        source: 'kc.yaml',
        namespace: 'a',
        document: { apiVersion: KRITIS, kind: 'KritisConfig', metadata: { name: 'k' } },
      },
    ]);
    const policies = new NamespacePolicyResolver(source).forNamespace('a');
    expect(policies.invalid.map((i) => i.kind)).toEqual([
      'GenericAttestationPolicyy',
      'ConfigMap',
      'KritisConfig',
    ]);
    expect(policies.invalid[1]?.issues[0]?.message).toContain(
      'ConfigMap (v1) is not a policy kind (cm.yaml)',
    );
  });

  it('turns file problems into invalid entries: for their namespace, or for all when they name none', () => {
    const { source } = sourceOf(
      [],
      [
        { source: 'x.yaml', namespace: 'team-a', message: 'x.yaml is not valid YAML' },
        { source: 'y.yaml', namespace: undefined, message: 'y.yaml is not valid YAML' },
      ],
    );
    const resolver = new NamespacePolicyResolver(source);
    expect(resolver.forNamespace('team-a').invalid.map((i) => i.name)).toEqual(['x.yaml', 'y.yaml']);
    expect(resolver.forNamespace('team-b').invalid.map((i) => i.name)).toEqual(['y.yaml']);
  });

  it('parses again when the snapshot changes, and says so through its generation', () => {
    const world = sourceOf([gap('a', 'ns')]);
    const resolver = new NamespacePolicyResolver(world.source);
    expect(resolver.forNamespace('ns').genericAttestationPolicies).toHaveLength(1);
    const first = resolver.generation;
    world.replace([]);
    expect(resolver.forNamespace('ns').genericAttestationPolicies).toHaveLength(0);
    expect(resolver.generation).toBeGreaterThan(first);
  });
});

describe('the projects the policies name (warmed before ready by the index)', () => {
  const isp = (namespace: string, imageAllowlist: string[]): PolicyDocument => ({
    source: 'isp.yaml',
    namespace,
    document: {
      apiVersion: KRITIS,
      kind: 'ImageSecurityPolicy',
      metadata: { name: 'isp' },
      spec: { imageAllowlist, packageVulnerabilityRequirements: { maximumSeverity: 'HIGH' } },
    },
  });
  const allowing = (...namePatterns: string[]) =>
    gap('g', 'team-a', { admissionAllowlistPatterns: namePatterns.map((namePattern) => ({ namePattern })) });

  it('reads GCR and Artifact Registry projects from allowlists, once, when an ImageSecurityPolicy exists', () => {
    const { source, replace } = sourceOf([
      allowing('gcr.io/alpha/*', 'eu.gcr.io/alpha/base', 'europe-docker.pkg.dev/beta/repo/*'),
      isp('team-b', ['gcr.io/example.com/gamma/app']),
    ]);
    const resolver = new NamespacePolicyResolver(source);
    expect(resolver.projectNames().sort()).toEqual(['alpha', 'beta', 'example.com:gamma']);
    // Without an ImageSecurityPolicy nothing reads a project.
    replace([allowing('gcr.io/alpha/*')]);
    expect(resolver.projectNames()).toEqual([]);
  });

  it('leaves out patterns whose project is not spelled out, and other registries', () => {
    for (const pattern of [
      'gcr.io/*',
      'gcr.io/al*pha/app',
      'registry.example/alpha/app',
      'docker.io/library/nginx',
      'gcr.io/example.com/*',
      'notgcr.io/alpha/app',
    ]) {
      expect(registryProjectOf(pattern), pattern).toBeUndefined();
    }
    expect(registryProjectOf('us-docker.pkg.dev/delta')).toBe('delta');
  });
});
