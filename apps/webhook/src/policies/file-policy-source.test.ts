import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { eventually } from '../test-support/eventually.js';
import { tempDir } from '../test-support/tmp.js';
import { filePolicySource, folderScanner } from './file-policy-source.js';
import { NamespacePolicyResolver } from './namespace-policies.js';
import type { PolicySnapshot, PolicySource } from './policy-source.js';

const gap = (name: string, namespace?: string) => `apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  attestationAuthorityNames: [qa]
`;

async function nextChange(source: PolicySource, after: number): Promise<PolicySnapshot> {
  return eventually(() => {
    const snapshot = source.snapshot();
    return snapshot.generation > after && snapshot;
  }, 'the policy folder change');
}

describe('filePolicySource', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let source: PolicySource | undefined;

  beforeEach(async () => {
    dir = await tempDir('policies');
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    await dir.remove();
  });

  it('reads every document, placing it in metadata.namespace, its subfolder, or default', async () => {
    await writeFile(join(dir.path, 'a.yaml'), `${gap('one')}---\n${gap('two', 'team-b')}`);
    await mkdir(join(dir.path, 'team-c'));
    await writeFile(join(dir.path, 'team-c', 'p.yml'), gap('three'));
    await writeFile(join(dir.path, 'notes.txt'), 'not a policy');
    await mkdir(join(dir.path, '..data'));
    await writeFile(join(dir.path, '..data', 'hidden.yaml'), gap('hidden'));
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    expect(source.readiness().ready).toBe(false);
    await source.start();
    expect(source.readiness()).toEqual({ ready: true, reasons: [] });
    const { documents, problems } = source.snapshot();
    expect(problems).toEqual([]);
    expect(documents.map((d) => [d.source, d.namespace])).toEqual([
      ['a.yaml#1', 'default'],
      ['a.yaml#2', 'team-b'],
      [join('team-c', 'p.yml'), 'team-c'],
    ]);
  });

  it('decodes UTF-16 with a byte-order mark (PowerShell 5.1) and fails every namespace closed for other encodings', async () => {
    await writeFile(
      join(dir.path, 'powershell.yaml'),
      Buffer.from(`\ufeff${gap('ps', 'team-a')}`, 'utf16le'),
    );
    await writeFile(join(dir.path, 'no-bom.yaml'), Buffer.from(gap('raw', 'team-b'), 'utf16le'));
    await writeFile(join(dir.path, 'latin1.yaml'), Buffer.from(`# café\n${gap('l1', 'team-c')}`, 'latin1'));
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    await source.start();
    const { documents, problems } = source.snapshot();
    expect(documents.map((d) => [d.source, d.namespace])).toEqual([['powershell.yaml', 'team-a']]);
    expect(problems).toEqual([
      {
        source: 'latin1.yaml',
        namespace: undefined,
        message: expect.stringMatching(
          /^latin1\.yaml cannot be read as text: it is not UTF-8 .*every namespace fails closed/,
        ),
      },
      {
        source: 'no-bom.yaml',
        namespace: undefined,
        message: expect.stringContaining('UTF-16LE or UTF-32LE without a byte-order mark'),
      },
    ]);
  });

  it('picks up added, changed and removed files while running', async () => {
    await writeFile(join(dir.path, 'a.yaml'), gap('one'));
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    await source.start();
    const first = source.snapshot();
    await writeFile(join(dir.path, 'b.yaml'), gap('two'));
    const added = await nextChange(source, first.generation);
    expect(added.documents).toHaveLength(2);
    await rm(join(dir.path, 'a.yaml'));
    const removed = await nextChange(source, added.generation);
    expect(removed.documents.map((d) => d.source)).toEqual(['b.yaml']);
  });

  it('reports a broken file against the namespaces it names, dropping the whole file', async () => {
    await writeFile(
      join(dir.path, 'broken.yaml'),
      `${gap('ok', 'team-a')}---\nkind: [unclosed\nmetadata:\n  namespace: team-x\n`,
    );
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    await source.start();
    const { documents, problems } = source.snapshot();
    expect(documents).toEqual([]);
    // The unreadable document may name none: `default`, where such documents go, fails closed too.
    expect(problems.map((p) => p.namespace).sort()).toEqual(['default', 'team-a', 'team-x']);
    expect(problems[0]?.message).toMatch(/^broken\.yaml is not valid YAML: broken\.yaml#2: /);
  });

  it('reports a broken file in a subfolder against that namespace only', async () => {
    await mkdir(join(dir.path, 'team-d'));
    await writeFile(join(dir.path, 'team-d', 'x.yaml'), 'a: [');
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    await source.start();
    expect(source.snapshot().problems.map((p) => p.namespace)).toEqual(['team-d']);
  });

  it('reports a broken top-level file that names no namespace against every namespace', async () => {
    await writeFile(join(dir.path, 'x.yaml'), 'spec: {');
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    await source.start();
    expect(source.snapshot().problems.map((p) => p.namespace)).toEqual([undefined]);
  });

  it('refuses to start on a folder that does not exist, with a typed error', async () => {
    source = filePolicySource({ directory: join(dir.path, 'missing') });
    await expect(source.start()).rejects.toMatchObject({ code: 'POLICY_DIR_MISSING' });
  });

  it('fails every namespace closed when the folder disappears while running', async () => {
    const inner = join(dir.path, 'inner');
    await mkdir(inner);
    await writeFile(join(inner, 'a.yaml'), gap('one'));
    source = filePolicySource({ directory: inner, pollIntervalMs: 100 });
    await source.start();
    const before = source.snapshot().generation;
    await rm(inner, { recursive: true });
    // A scan may first see the folder emptied but still there (a change without problems): wait for the end.
    const after = await eventually(() => {
      const snapshot = source?.snapshot();
      return snapshot && snapshot.generation > before && snapshot.problems.length > 0 && snapshot;
    }, 'the scan of the removed folder');
    expect(after.documents).toEqual([]);
    expect(after.problems).toEqual([
      expect.objectContaining({
        namespace: undefined,
        message: expect.stringContaining('every namespace fails closed'),
      }),
    ]);
  });
});

describe('filePolicySource: what a policy file may hold (issue 19)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let source: PolicySource | undefined;

  beforeEach(async () => {
    dir = await tempDir('policies');
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    await dir.remove();
  });

  const start = async () => {
    source = filePolicySource({ directory: dir.path, pollIntervalMs: 60_000 });
    await source.start();
    return { snapshot: source.snapshot(), resolver: new NamespacePolicyResolver(source) };
  };
  const closed = (resolver: NamespacePolicyResolver, namespace: string) =>
    resolver.forNamespace(namespace).invalid.length > 0;

  it.each([
    ['Prod', 'prod'],
    ['"prod2 "', 'prod2'],
    ['" Team-A"', 'team-a'],
  ])('fails closed the namespace a misspelt `namespace: %s` could mean (%s)', async (written, meant) => {
    await writeFile(join(dir.path, 'p.yaml'), gap('p', written));
    const { snapshot, resolver } = await start();
    expect(snapshot.documents).toEqual([]);
    expect(closed(resolver, meant)).toBe(true);
    expect(closed(resolver, 'unrelated')).toBe(false);
    expect(snapshot.problems[0]?.message).toContain('is not a Kubernetes namespace name');
  });

  it('fails every namespace closed when a misspelt namespace cannot be normalised to a name', async () => {
    await writeFile(join(dir.path, 'p.yaml'), gap('p', 'team_a.prod'));
    const { resolver } = await start();
    expect(closed(resolver, 'team-a')).toBe(true);
    expect(closed(resolver, 'anything')).toBe(true);
  });

  it('fails closed a subfolder that is not a namespace name, and the namespaces its files name', async () => {
    await mkdir(join(dir.path, 'Prod'));
    await writeFile(join(dir.path, 'Prod', 'p.yaml'), `${gap('p')}---\n${gap('q', 'stage')}`);
    const { snapshot, resolver } = await start();
    expect(snapshot.documents).toEqual([]);
    expect(closed(resolver, 'prod')).toBe(true);
    expect(closed(resolver, 'stage')).toBe(true);
    expect(closed(resolver, 'unrelated')).toBe(false);
  });

  it('reads a `kind: List` (kubectl get -o yaml) item by item', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [
        {
          apiVersion: 'kritis.grafeas.io/v1beta1',
          kind: 'GenericAttestationPolicy',
          metadata: { name: 'a', namespace: 'prod' },
          spec: { attestationAuthorityNames: ['qa'] },
        },
        {
          apiVersion: 'kritis.grafeas.io/v1beta1',
          kind: 'ImageSecurityPolicy',
          metadata: { name: 'b', namespace: 'stage' },
          spec: {},
        },
      ],
    };
    await writeFile(join(dir.path, 'list.yaml'), YAML.stringify(list));
    const { snapshot, resolver } = await start();
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.documents.map((d) => [d.source, d.namespace])).toEqual([
      ['list.yaml items[0]', 'prod'],
      ['list.yaml items[1]', 'stage'],
    ]);
    expect(resolver.forNamespace('prod').genericAttestationPolicies.map((p) => p.metadata.name)).toEqual([
      'a',
    ]);
    expect(resolver.forNamespace('stage').imageSecurityPolicies.map((p) => p.metadata.name)).toEqual(['b']);
  });

  it.each([
    ['a near-miss kind and apiVersion', 'kritis.grafeas.io/v1beta', 'GenericAttestationPolicie'],
    ['a Kritis kind Signet does not enforce', 'kritis.grafeas.io/v1beta1', 'KritisConfig'],
    ['a VulnzSigningPolicy (the signer’s)', 'kritis.grafeas.io/v1beta1', 'VulnzSigningPolicy'],
    ['a ConfigMap', 'v1', 'ConfigMap'],
  ])('fails closed the namespaces of a file holding %s', async (_name, apiVersion, kind) => {
    const other = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n  namespace: prod\n`;
    await writeFile(join(dir.path, 'p.yaml'), `${gap('ok', 'stage')}---\n${other}`);
    const { snapshot, resolver } = await start();
    expect(snapshot.documents).toEqual([]);
    expect(closed(resolver, 'prod')).toBe(true);
    expect(closed(resolver, 'stage')).toBe(true);
    expect(closed(resolver, 'unrelated')).toBe(false);
    expect(snapshot.problems[0]?.message).toContain(`${kind} (${apiVersion}) is not a policy kind`);
  });

  it('fails closed a List holding something else, or whose items are not a list', async () => {
    await writeFile(
      join(dir.path, 'a.yaml'),
      YAML.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'prod' } }],
      }),
    );
    await mkdir(join(dir.path, 'stage'));
    await writeFile(join(dir.path, 'stage', 'b.yaml'), 'apiVersion: v1\nkind: List\nitems: {}\n');
    const { snapshot, resolver } = await start();
    expect(snapshot.documents).toEqual([]);
    expect(closed(resolver, 'prod')).toBe(true);
    expect(closed(resolver, 'stage')).toBe(true);
    expect(snapshot.problems.map((p) => p.message).join('\n')).toContain('items is not a list');
  });

  it('keeps failing closed what a file concerned before it broke, until it is fixed or deleted', async () => {
    const scan = folderScanner(dir.path, 'default');
    const closedAfterScan = async (namespace: string) => {
      const snapshot: PolicySnapshot = { generation: 1, ...(await scan()) };
      const resolver = new NamespacePolicyResolver(staticSource(snapshot));
      return closed(resolver, namespace);
    };
    await writeFile(join(dir.path, 'p.yaml'), gap('p', 'prod'));
    expect(await closedAfterScan('prod')).toBe(false);
    // Retyped so that it no longer names prod, and broken: prod must not lose its policy silently.
    await writeFile(
      join(dir.path, 'p.yaml'),
      `${gap('p', 'stage')}---
apiVersion: v1
kind: ConfigMap
`,
    );
    expect(await closedAfterScan('prod')).toBe(true);
    expect(await closedAfterScan('prod')).toBe(true); // still, on the next scan
    await writeFile(join(dir.path, 'p.yaml'), gap('p', 'stage'));
    expect(await closedAfterScan('prod')).toBe(false); // a valid edit says so
  });
});

function staticSource(snapshot: PolicySnapshot): PolicySource {
  return {
    snapshot: () => snapshot,
    readiness: () => ({ ready: true, reasons: [] }),
    onChange: () => {},
    start: async () => {},
    close: async () => {},
  };
}
