import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectNamespacePolicies, parseYamlDocuments } from './documents.js';

const gapYaml = (name: string, namespace?: string) => `
apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  attestationAuthorityNames: [a]
`;

describe('parseYamlDocuments', () => {
  it('reads a stream, skipping empty documents', () => {
    const results = parseYamlDocuments(
      `${gapYaml('one')}---\n---\n${gapYaml('two')}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n`,
    );
    expect(results.map((r) => r.status)).toEqual(['resource', 'resource', 'other']);
    expect(results.map((r) => r.index)).toEqual([0, 2, 3]);
  });

  it('turns a syntax error into an invalid document, not a crash', () => {
    const [result] = parseYamlDocuments('kind: [unclosed\n');
    expect(result).toMatchObject({ status: 'invalid', error: { code: 'DOCUMENT_INVALID' } });
  });

  it('refuses duplicate keys (which YAML parsers otherwise resolve silently)', () => {
    const [result] = parseYamlDocuments('kind: GenericAttestationPolicy\nkind: ImageSecurityPolicy\n');
    expect(result!.status).toBe('invalid');
  });

  it('bounds alias expansion (billion laughs)', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    const [result] = parseYamlDocuments(bomb);
    expect(result!.status).toBe('invalid');
  });
});

describe('collectNamespacePolicies', () => {
  it('keeps what is in the namespace (or has none) and the invalid ones', () => {
    const results = parseYamlDocuments(
      [
        gapYaml('here', 'team'),
        gapYaml('nowhere'),
        gapYaml('there', 'other'),
        'apiVersion: kritis.grafeas.io/v1beta1\nkind: ImageSecurityPolicy\nmetadata: {name: bad, namespace: team}\nspec: {imageAllowlist: 3}\n',
      ].join('---\n'),
    );
    const policies = collectNamespacePolicies(results, 'team');
    expect(policies.genericAttestationPolicies.map((p) => p.metadata.name)).toEqual(['here', 'nowhere']);
    expect(policies.invalid.map((i) => [i.kind, i.name, i.issues[0]!.field])).toEqual([
      ['ImageSecurityPolicy', 'bad', 'spec.imageAllowlist'],
    ]);
  });
});

describe('any text', () => {
  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const result of parseYamlDocuments(text))
          expect(['resource', 'invalid', 'other']).toContain(result.status);
      }),
      { numRuns: 300 },
    );
  });
});
