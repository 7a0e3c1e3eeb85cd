import { describe, expect, it } from 'vitest';
import { isNamespaceName, namespacesMeant } from './namespace-name.js';
import { readPolicyFileContents, unparsedFileConcerns } from './policy-file-contents.js';

const gap = (namespace?: unknown, kind = 'GenericAttestationPolicy') => ({
  apiVersion: 'kritis.grafeas.io/v1beta1',
  kind,
  metadata: { name: 'p', ...(namespace === undefined ? {} : { namespace }) },
  spec: { attestationAuthorityNames: ['qa'] },
});
const top = { fallback: 'default' };

describe('namespace names', () => {
  it('are DNS-1123 labels', () => {
    for (const name of ['prod', 'a', 'team-a', '2024', 'a'.repeat(63)])
      expect(isNamespaceName(name)).toBe(true);
    for (const name of ['Prod', 'prod ', '-a', 'a-', 'a_b', 'a.b', '', 'a'.repeat(64), 42, null]) {
      expect(isNamespaceName(name)).toBe(false);
    }
  });

  it('a misspelt one means its trimmed lower-case form, or any namespace', () => {
    expect(namespacesMeant('prod')).toEqual(['prod']);
    expect(namespacesMeant('Prod')).toEqual(['prod']);
    expect(namespacesMeant('prod2 ')).toEqual(['prod2']);
    expect(namespacesMeant(2024)).toEqual(['2024']);
    expect(namespacesMeant('team_a')).toBe('any');
    expect(namespacesMeant('   ')).toBe('any');
    expect(namespacesMeant({ name: 'prod' })).toBe('any');
  });
});

describe('readPolicyFileContents', () => {
  it('places valid policies and names what they concern', () => {
    const contents = readPolicyFileContents(
      [
        { where: 'f#1', value: gap('prod') },
        { where: 'f#2', value: gap() },
      ],
      top,
    );
    expect(contents.problems).toEqual([]);
    expect(contents.entries.map((e) => [e.where, e.namespace])).toEqual([
      ['f#1', 'prod'],
      ['f#2', 'default'],
    ]);
    expect(contents.concerns).toEqual(new Set(['prod', 'default']));
  });

  it('reads List items, and refuses what is not a policy, saying where', () => {
    const contents = readPolicyFileContents(
      [
        {
          where: 'f#1',
          value: { apiVersion: 'v1', kind: 'List', items: [gap('a'), gap('b', 'KritisConfig'), 'text'] },
        },
        { where: 'f#2', value: { apiVersion: 'v1', kind: 'List', items: 'none' } },
        { where: 'f#3', value: { apiVersion: 'v1', kind: 'List', items: [{ kind: 'List', items: [] }] } },
      ],
      { folder: 'team', fallback: 'team' },
    );
    expect(contents.problems).toEqual([
      expect.stringMatching(
        /^f#1 items\[1\]: KritisConfig \(kritis\.grafeas\.io\/v1beta1\) is not a policy kind/,
      ),
      expect.stringMatching(/^f#1 items\[2\]: is not a resource/),
      'f#2: a List whose items is not a list',
      'f#3 items[0]: a List inside a List; give the policies themselves',
    ]);
    expect(contents.concerns).toEqual(new Set(['team', 'a', 'b']));
  });

  it('a bad namespace or folder concerns what it could mean', () => {
    const named = readPolicyFileContents([{ where: 'f', value: gap('Prod') }], top);
    expect(named.problems[0]).toContain('metadata.namespace "Prod" is not a Kubernetes namespace name');
    expect(named.concerns).toEqual(new Set(['prod']));
    const folder = readPolicyFileContents([{ where: 'f', value: gap() }], {
      folder: 'Team ',
      fallback: 'Team ',
    });
    expect(folder.problems[0]).toContain('its folder "Team " is not a Kubernetes namespace name');
    expect(folder.concerns).toEqual(new Set(['team']));
    expect(readPolicyFileContents([{ where: 'f', value: gap('a.b') }], top).concerns).toBe('any');
  });
});

describe('unparsedFileConcerns', () => {
  const none = readPolicyFileContents([], top);
  it('takes every namespace the text writes, in any style, and the fallback', () => {
    const text = 'metadata:\n  namespace: Prod\n---\n{"metadata": {"namespace": "stage"}, spec: [\n';
    expect(unparsedFileConcerns(text, none, top)).toEqual(new Set(['default', 'prod', 'stage']));
    expect(unparsedFileConcerns('{metadata: {namespace: dev}, [', none, top)).toEqual(
      new Set(['default', 'dev']),
    );
  });

  it('is any namespace when a value cannot be read, or a top-level file names none', () => {
    expect(unparsedFileConcerns('metadata:\n  namespace:\n    prod\n  x: [', none, top)).toBe('any');
    expect(unparsedFileConcerns('? namespace\n: prod\n[', none, top)).toBe('any');
    expect(unparsedFileConcerns('spec: {', none, top)).toBe('any');
    const inFolder = { folder: 'team', fallback: 'team' };
    expect(unparsedFileConcerns('spec: {', readPolicyFileContents([], inFolder), inFolder)).toEqual(
      new Set(['team']),
    );
  });
});
