import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectNamespacePolicies, describeDocument, parseYamlDocuments } from './documents.js';

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

describe('parseYamlDocuments: Lists and namespaces (issue 19)', () => {
  it('reads a v1 List item by item, saying which item each result is', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'kritis.grafeas.io/v1beta1',
          kind: 'GenericAttestationPolicy',
          metadata: { name: 'a', namespace: 'prod' },
          spec: { attestationAuthorityNames: ['qa'] },
        },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } },
      ],
    });
    const results = parseYamlDocuments(text);
    expect(results.map((r) => [r.status, r.index, r.item])).toEqual([
      ['resource', 0, 0],
      ['other', 0, 1],
    ]);
    expect(describeDocument(results[1]!)).toBe('document 1, items[1]');
  });

  it('refuses a List whose items is not a list, and a List in a List', () => {
    const [notList] = parseYamlDocuments('apiVersion: v1\nkind: List\nitems: {}\n');
    expect(notList).toMatchObject({ status: 'invalid', invalid: { issues: [{ field: 'items' }] } });
    const [nested] = parseYamlDocuments('apiVersion: v1\nkind: List\nitems: [{kind: List, items: []}]\n');
    expect(nested).toMatchObject({ status: 'invalid', item: 0 });
  });

  it('refuses a metadata.namespace that is not a namespace name, naming the field', () => {
    for (const namespace of ['Prod', '"prod2 "', 'team_a']) {
      const [result] = parseYamlDocuments(
        `apiVersion: kritis.grafeas.io/v1beta1\nkind: ImageSecurityPolicy\nmetadata:\n  name: p\n  namespace: ${namespace}\nspec: {}\n`,
      );
      expect(result).toMatchObject({
        status: 'invalid',
        invalid: { issues: [{ field: 'metadata.namespace' }] },
      });
      if (result?.status !== 'invalid') throw new Error('not invalid');
      expect(result.invalid.issues[0]?.message).toContain('must be a Kubernetes namespace name');
    }
  });
});
