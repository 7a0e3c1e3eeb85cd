import { type MetadataStore, type OccurrenceSpec, openMetadataStore } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { type RewritingProxy, startRewritingProxy } from '@signet/grafeas-emulator/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vulnerabilitySpec } from '../test-support/occurrence-specs.js';
import { OccurrenceIndex } from './occurrence-index.js';

const image = (n: number) =>
  `https://registry.example/unreadable/app${n}@sha256:${n.toString(16).padStart(64, '0')}`;

function vulnerability(resourceUri: string, cve: string): OccurrenceSpec {
  return vulnerabilitySpec(resourceUri, cve, 'LOW');
}

type Json = Record<string, unknown>;

/**
 * Issue 19, the index (for backends that ignore filters): an unreadable vulnerability is held for its
 * image, and one whose resource cannot be read for every image of its project.
 */
describe('OccurrenceIndex with occurrences it cannot read', () => {
  const data = new SqliteMetadataStore(':memory:');
  let emulator: RunningEmulator;
  let proxy: RewritingProxy;
  let store: MetadataStore;
  let index: OccurrenceIndex;

  beforeAll(async () => {
    data.insertOccurrences(
      'one',
      [vulnerability(image(1), 'CVE-BROKEN'), vulnerability(image(2), 'CVE-FINE')],
      false,
    );
    data.insertOccurrences(
      'two',
      [vulnerability(image(3), 'CVE-NOWHERE'), vulnerability(image(4), 'CVE-FINE')],
      false,
    );
    emulator = await startEmulator({ flavor: 'oss', store: data });
    proxy = await startRewritingProxy(emulator.url, (o) => {
      const vuln = o.vulnerability as Json | undefined;
      const note = String(o.noteName ?? o.note_name ?? '');
      if (!vuln) return o;
      if (note.endsWith('CVE-BROKEN')) return { ...o, vulnerability: { ...vuln, packageIssue: [null] } };
      if (note.endsWith('CVE-NOWHERE')) {
        const { resource: _, ...rest } = o;
        return rest;
      }
      return o;
    });
    store = await openMetadataStore(`grafeas:${proxy.url}`, { api: 'v1beta1', retry: { attempts: 1 } });
    index = new OccurrenceIndex({ store });
    index.track({ projects: ['one', 'two'] });
    await index.refresh();
  });
  afterAll(async () => {
    index?.close();
    await store?.close();
    await proxy?.close();
    await emulator?.close();
    await data.close();
  });

  it("holds an unreadable vulnerability as a finding of its image, and not of the project's others", async () => {
    const broken = await index.vulnerabilities(image(1), 'one');
    expect(broken).toHaveLength(1);
    expect(broken[0]?.unreadable).toContain('packageIssue.0');
    expect(broken[0]?.occurrenceName).toMatch(/^projects\/one\/occurrences\//);
    expect(await index.vulnerabilities(image(2), 'one')).toMatchObject([{ cveId: 'CVE-FINE' }]);
  });

  it('holds one whose resource cannot be read for every image of its project', async () => {
    for (const n of [3, 4, 99]) {
      const findings = await index.vulnerabilities(image(n), 'two');
      expect(findings.filter((f) => f.unreadable !== undefined)).toHaveLength(1);
    }
    expect((await index.vulnerabilities(image(99), 'one')).some((f) => f.unreadable)).toBe(false);
  });
});
