import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../guide-commands.js';
import { GOOGLE_APIS_LOADED } from './spec.js';

/** The shipped sources (tests aside) of every package and app: a superset of what the images hold. */
function shippedSources(): string[] {
  const roots = ['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(REPO_ROOT, parent)).map((name) => join(REPO_ROOT, parent, name, 'src')),
  );
  return roots.flatMap((root) =>
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8')),
  );
}

it('the images keep every Google API the apps load, and the apps never load googleapis whole', () => {
  const sources = shippedSources();
  const loaded = new Set(
    sources.flatMap((text) => [...text.matchAll(/googleapis\/build\/src\/apis\/(\w+)\//g)].map((m) => m[1])),
  );
  expect([...loaded].sort()).toEqual([...GOOGLE_APIS_LOADED]);
  expect(sources.filter((text) => /from ['"]googleapis['"]|import\(['"]googleapis['"]\)/.test(text))).toEqual(
    [],
  );
});
