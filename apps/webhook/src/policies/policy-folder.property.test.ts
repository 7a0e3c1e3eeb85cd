import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/tmp.js';
import { folderScanner } from './file-policy-source.js';
import { NamespacePolicyResolver } from './namespace-policies.js';
import type { PolicySnapshot, PolicySource } from './policy-source.js';

/**
 * Issue 19's property: no change of a policy file ever leaves a namespace that a file names, or could
 * name, with fewer rules than before, unless the file says so validly (a valid edit, or a deletion).
 * Folders of valid and invalid files (misspelt namespaces and folders, non-policy kinds, Lists, broken
 * YAML) go through a sequence of changes; each scan is compared with the one before, per namespace.
 */

type Kind = 'gap' | 'isp' | 'configmap' | 'near-miss';
interface DocSpec {
  kind: Kind;
  /** As written in metadata.namespace; undefined: none. */
  namespace: string | undefined;
}
interface FileSpec {
  docs: DocSpec[];
  asList: boolean;
  broken: boolean;
}
type FolderState = Map<string, FileSpec>;

const WRITTEN_NAMESPACES = [undefined, 'prod', 'stage', 'Prod', 'stage ', 'team_a'];
const PATHS = ['a.yaml', 'b.yaml', join('prod', 'c.yaml'), join('Stage', 'd.yaml')];
/** Every namespace a file here names or could mean, the default, and one no file names. */
const NAMESPACES = ['default', 'prod', 'stage', 'team-a', 'unrelated'];

const docArb: fc.Arbitrary<DocSpec> = fc.record({
  kind: fc.constantFrom<Kind>('gap', 'gap', 'isp', 'configmap', 'near-miss'),
  namespace: fc.constantFrom(...WRITTEN_NAMESPACES),
});
const fileArb: fc.Arbitrary<FileSpec> = fc.record({
  docs: fc.array(docArb, { minLength: 1, maxLength: 3 }),
  asList: fc.boolean(),
  broken: fc.boolean(),
});
const changeArb = fc.record({
  path: fc.constantFrom(...PATHS),
  next: fc.option(fileArb, { nil: undefined }), // undefined: the file is deleted
});

const isName = (ns: string) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns);
const folderOf = (path: string) => (path.includes('/') ? path.split('/')[0] : undefined);

function render(spec: FileSpec, path: string, version: number): string {
  const objects = spec.docs.map((doc, i) => {
    const name = `${path.replace(/\W/g, '-')}-${i}-v${version}`;
    const metadata = { name, ...(doc.namespace === undefined ? {} : { namespace: doc.namespace }) };
    if (doc.kind === 'configmap') return { apiVersion: 'v1', kind: 'ConfigMap', metadata };
    if (doc.kind === 'near-miss') {
      return {
        apiVersion: 'kritis.grafeas.io/v1beta',
        kind: 'GenericAttestationPolicie',
        metadata,
        spec: {},
      };
    }
    const kind = doc.kind === 'gap' ? 'GenericAttestationPolicy' : 'ImageSecurityPolicy';
    const spec = doc.kind === 'gap' ? { attestationAuthorityNames: ['qa'] } : {};
    return { apiVersion: 'kritis.grafeas.io/v1beta1', kind, metadata, spec };
  });
  const documents = spec.asList
    ? [JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects })]
    : objects.map((o) => JSON.stringify(o));
  if (spec.broken) {
    const namespace = spec.docs[0]?.namespace;
    documents.push(
      `kind: [unclosed\nmetadata:\n${namespace === undefined ? '' : `  namespace: ${JSON.stringify(namespace)}\n`}`,
    );
  }
  return documents.join('\n---\n');
}

/** What the test knows: a file is valid when it parses, holds policies only and every namespace is a name. */
function isValid(spec: FileSpec, path: string): boolean {
  const folder = folderOf(path);
  return (
    !spec.broken &&
    (folder === undefined || isName(folder)) &&
    spec.docs.every(
      (d) => (d.kind === 'gap' || d.kind === 'isp') && (d.namespace === undefined || isName(d.namespace)),
    )
  );
}

/** The namespaces a valid file (before or after a valid change) may legitimately take rules from. */
function mentioned(spec: FileSpec | undefined, path: string): Set<string> | 'any' {
  if (!spec) return new Set();
  if (spec.broken) return 'any';
  const meant = (written: string) => {
    const normalised = written.trim().toLowerCase();
    return isName(normalised) ? normalised : 'any';
  };
  const folder = folderOf(path);
  const found = [folder === undefined ? 'default' : meant(folder)];
  for (const doc of spec.docs)
    found.push(doc.namespace === undefined ? (found[0] ?? 'default') : meant(doc.namespace));
  return found.includes('any') ? 'any' : new Set(found);
}

interface Enforced {
  closed: boolean;
  rules: Set<string>;
}

function enforced(resolver: NamespacePolicyResolver, namespace: string): Enforced {
  const policies = resolver.forNamespace(namespace);
  const rules = [...policies.genericAttestationPolicies, ...policies.imageSecurityPolicies].map(
    (p) => `${p.kind}/${p.metadata.name}`,
  );
  return { closed: policies.invalid.length > 0, rules: new Set(rules) };
}

const atLeast = (after: Enforced, before: Enforced) =>
  after.closed || (!before.closed && [...before.rules].every((rule) => after.rules.has(rule)));

describe('a policy folder never loses rules to a change that does not say so validly (property)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('policy-property');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('holds for generated folders and sequences of changes', async () => {
    let version = 0;
    const write = async (path: string, spec: FileSpec | undefined) => {
      const file = join(dir.path, path);
      if (!spec) return rm(file, { force: true });
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, render(spec, path, ++version));
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...PATHS), fileArb), { maxLength: 4 }),
        fc.array(changeArb, { minLength: 1, maxLength: 3 }),
        async (initial, changes) => {
          await rm(dir.path, { recursive: true, force: true });
          await mkdir(dir.path, { recursive: true });
          const state: FolderState = new Map();
          for (const [path, spec] of initial) {
            state.set(path, spec);
            await write(path, spec);
          }
          const scan = folderScanner(dir.path, 'default');
          let snapshot: PolicySnapshot = { generation: 1, ...(await scan()) };
          const source: PolicySource = {
            snapshot: () => snapshot,
            readiness: () => ({ ready: true, reasons: [] }),
            onChange: () => {},
            start: async () => {},
            close: async () => {},
          };
          const resolver = new NamespacePolicyResolver(source);
          for (const { path, next } of changes) {
            const before = new Map(NAMESPACES.map((ns) => [ns, enforced(resolver, ns)]));
            const previous = state.get(path);
            if (next) state.set(path, next);
            else state.delete(path);
            await write(path, next);
            snapshot = { generation: snapshot.generation + 1, ...(await scan()) };
            const validChange = next === undefined || isValid(next, path);
            const exempt = validChange
              ? union(mentioned(previous, path), mentioned(next, path))
              : new Set<string>();
            for (const ns of NAMESPACES) {
              if (exempt === 'any' || exempt.has(ns)) continue;
              const was = before.get(ns) as Enforced;
              const now = enforced(resolver, ns);
              if (!atLeast(now, was)) {
                throw new Error(
                  `${ns} lost rules when ${path} became ${JSON.stringify(next)} (was ${JSON.stringify(previous)}): ` +
                    `before ${JSON.stringify({ closed: was.closed, rules: [...was.rules] })}, ` +
                    `after ${JSON.stringify({ closed: now.closed, rules: [...now.rules] })}`,
                );
              }
            }
          }
        },
      ),
      { numRuns: 60, seed: 19, endOnFailure: true },
    );
    expect(version).toBeGreaterThan(0);
  });
});

function union(a: Set<string> | 'any', b: Set<string> | 'any'): Set<string> | 'any' {
  return a === 'any' || b === 'any' ? 'any' : new Set([...a, ...b]);
}
