import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildCrds } from './crds.js';
import { renderCrdsYaml } from './crds-yaml.js';

type Schema = Record<string, unknown>;
const deployed = fileURLToPath(new URL('../../../deploy/crds.yaml', import.meta.url));

function specSchema(kind: string): Schema {
  const crd = buildCrds().find((c) => (c.spec as { names: { kind: string } }).names.kind === kind)!;
  const version = (crd.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] }).versions[0]!;
  return (version.schema.openAPIV3Schema.properties as Record<string, Schema>).spec!;
}

/**
 * Kubernetes's structural-schema rules that a generator could break. A junctor (`anyOf`) may hold
 * value validations only; `required` lists are all Signet writes there.
 */
function structuralProblems(schema: Schema, at = 'spec'): string[] {
  const problems: string[] = [];
  if (typeof schema.type !== 'string') problems.push(`${at}: no type`);
  if ('anyOf' in schema) {
    const branches = schema.anyOf as Schema[];
    const declared = Object.keys((schema.properties ?? {}) as Schema);
    for (const branch of branches) {
      const keys = Object.keys(branch);
      const required = (branch.required ?? []) as string[];
      if (keys.some((key) => key !== 'required') || required.some((name) => !declared.includes(name)))
        problems.push(`${at}: anyOf holds more than required lists of declared fields`);
    }
  }
  for (const key of [
    '$schema',
    'oneOf',
    'allOf',
    'not',
    'additionalProperties',
    '$ref',
    'definitions',
    '$defs',
  ]) {
    if (key in schema) problems.push(`${at}: has ${key}`);
  }
  if (typeof schema.pattern === 'string') {
    // Go's RE2 has no lookaround or backreferences.
    if (/\(\?[=!<]|\\[1-9]/.test(schema.pattern)) problems.push(`${at}: pattern not RE2`);
    new RegExp(schema.pattern);
  }
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    problems.push(...structuralProblems(child, `${at}.${name}`));
  }
  if (schema.items) problems.push(...structuralProblems(schema.items as Schema, `${at}[]`));
  return problems;
}

describe('CRDs', () => {
  it('deploy/crds.yaml is what the schemas generate (run `pnpm --filter @signet/policy crds`)', () => {
    expect(readFileSync(deployed, 'utf8')).toBe(renderCrdsYaml());
  });

  it('is valid YAML with one CRD per cluster kind', () => {
    const documents = parseAllDocuments(renderCrdsYaml()).map((d) => d.toJS());
    expect(documents.map((d) => [d.kind, d.metadata.name, d.spec.scope, d.spec.versions[0].name])).toEqual([
      ['CustomResourceDefinition', 'attestationauthorities.kritis.grafeas.io', 'Namespaced', 'v1beta1'],
      ['CustomResourceDefinition', 'genericattestationpolicies.kritis.grafeas.io', 'Namespaced', 'v1beta1'],
      ['CustomResourceDefinition', 'imagesecuritypolicies.kritis.grafeas.io', 'Namespaced', 'v1beta1'],
    ]);
  });

  it.each(['AttestationAuthority', 'GenericAttestationPolicy', 'ImageSecurityPolicy'])(
    '%s has a structural schema',
    (kind) => {
      expect(structuralProblems(specSchema(kind))).toEqual([]);
    },
  );

  it('carries the enums, required fields and patterns of the zod schemas', () => {
    const authority = specSchema('AttestationAuthority') as {
      required: string[];
      properties: Record<string, Schema>;
    };
    expect(authority.required).toBeUndefined();
    // At least one of the two: the structural form of the zod refinement.
    expect((authority as Schema).anyOf).toEqual([{ required: ['noteReference'] }, { required: ['cosign'] }]);
    const cosign = authority.properties.cosign as { required: string[]; properties: Record<string, Schema> };
    expect(cosign.required).toEqual(['publicKeyData']);
    expect(Object.keys(cosign.properties)).toEqual(['publicKeyData', 'repository', 'attestations']);
    expect(authority.properties.noteReference!.pattern).toMatch(/^\^\(v1beta1/);
    const key = (authority.properties.publicKeys!.items as { properties: Record<string, Schema> }).properties;
    expect(key.keyType!.enum).toEqual(['PGP', 'PKIX']);
    expect(key.KeyType!.enum).toEqual(['PGP', 'PKIX']);
    const gap = specSchema('GenericAttestationPolicy') as {
      required: string[];
      properties: Record<string, Schema>;
    };
    expect(gap.required).toEqual(['attestationAuthorityNames']);
    expect(gap.properties.attestationAuthorityNames!.minItems).toBe(1);
    expect(gap.properties.enforcementMode!.enum).toEqual(['Enforce', 'DryRun']);
    const isp = specSchema('ImageSecurityPolicy') as { properties: Record<string, Schema> };
    const requirements = isp.properties.packageVulnerabilityRequirements!.properties as Record<
      string,
      Schema
    >;
    expect(requirements.maximumSeverity!.enum).toEqual([
      'MINIMAL',
      'LOW',
      'MEDIUM',
      'HIGH',
      'CRITICAL',
      'BLOCK_ALL',
      'ALLOW_ALL',
    ]);
  });
});
