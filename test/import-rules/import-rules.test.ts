import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

/**
 * Each file under fixtures/ sits where the workspace's code would and makes one import. A file named
 * after a rule (`<rule>.ts`, `<rule>--<case>.ts`, or the same with `.test.ts`) must break that rule; a
 * file named `allowed--<case>.ts` must break none. Every rule of .dependency-cruiser.cjs has a fixture.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(here, 'fixtures');

/** The fixtures have no node_modules: an import of a package the root does not hold cannot resolve. */
const UNRESOLVABLE = 'not-to-unresolvable';

const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'));
const ruleNames = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name ?? '');
const files = listFiles(fixtures);
const violations = await cruiseFixtures();

describe('the import rules of .dependency-cruiser.cjs', () => {
  it.each(ruleNames)('%s has a fixture that breaks it', (rule) => {
    expect(files.filter((file) => expectedRule(file) === rule)).not.toEqual([]);
  });

  it.each(files.filter((file) => expectedRule(file) !== undefined))('%s breaks its rule', (file) => {
    const broken = violations
      .filter((v) => v.from === file || v.cycle?.some((step) => step.name === file))
      .map((v) => v.rule.name);
    expect(broken).toContain(expectedRule(file));
  });

  it.each(files.filter((file) => file.split('/').pop()?.startsWith('allowed--')))(
    '%s breaks none',
    (file) => {
      const broken = violations.filter((v) => v.from === file && v.rule.name !== UNRESOLVABLE);
      expect(broken.map((v) => `${v.rule.name}: ${v.to}`)).toEqual([]);
    },
  );
});

async function cruiseFixtures(): Promise<IViolation[]> {
  const { tsConfig: _rootOnly, ...cruiseOptions } = options;
  const result = await cruise(['.'], { ...cruiseOptions, baseDir: fixtures, validate: true });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  return result.output.summary.violations;
}

/** The rule a fixture is named after, or undefined for one that must break none. */
function expectedRule(file: string): string | undefined {
  const stem = (file.split('/').pop() ?? '').replace(/(\.test)?\.ts$/, '').split('--')[0] ?? '';
  return ruleNames.includes(stem) ? stem : undefined;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(join(dir, entry.name), path);
    return path.endsWith('.ts') ? [path] : [];
  });
}
