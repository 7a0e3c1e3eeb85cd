/**
 * Writes deploy/crds.yaml from the policy schemas; with --check, fails if the file differs
 * (run by the package's `lint`, so CI catches a schema change without regenerated CRDs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdsYaml } from '../src/crds-yaml.js';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '../../../deploy/crds.yaml');
const expected = renderCrdsYaml();

if (process.argv.includes('--check')) {
  let actual = '';
  try {
    actual = readFileSync(target, 'utf8');
  } catch {
    // a missing file is drift too
  }
  if (actual !== expected) {
    console.error(
      `${target} is out of date with the policy schemas: run \`pnpm --filter @signet/policy crds\``,
    );
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  writeFileSync(target, expected);
  console.log(`wrote ${target}`);
}
