#!/usr/bin/env node
/**
 * Proves that the import rules in biome.json (the "overrides" with noRestrictedImports) fire: lints
 * one small file per rule, placed in a scratch copy of the layout, and fails unless every forbidden
 * import is reported and every allowed one is not. Then checks the same arrows in the workspace's
 * package.json files: no runtime dependency on the test-only packages outside the demo, and no
 * package depending on an app. Runs in `pnpm lint`; writes nothing in the repo.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** [where the importing file sits, what it imports, whether lint must refuse it] */
const CASES = [
  ['packages/policy/src/f.ts', '@signet/webhook', 'refused'], // a package importing an app
  ['packages/grafeas-client/src/f.ts', '@signet/signer', 'refused'],
  ['packages/guide-world/src/f.ts', '@signet/demo', 'refused'],
  ['deploy/src/f.ts', '@signet/webhook', 'refused'],
  ['packages/policy/src/f.ts', '../../../apps/webhook/src/index.js', 'refused'],
  ['packages/signing/src/f.ts', '@signet/policy', 'refused'], // signing importing policy or grafeas-client
  ['packages/signing/src/f.ts', '@signet/grafeas-client', 'refused'],
  ['packages/policy/src/f.ts', '@signet/grafeas-client', 'refused'], // policy importing grafeas-client
  ['packages/policy/src/f.test.ts', '@signet/grafeas-client/defaults', 'refused'],
  ['packages/errors/src/f.ts', '@signet/signing', 'refused'], // errors and duration import nothing of ours
  ['packages/duration/src/f.ts', '@signet/errors', 'refused'],
  ['apps/webhook/src/f.ts', '@signet/signer', 'refused'], // the webhook and the signer importing each other
  ['apps/webhook/src/f.test.ts', '@signet/signer', 'refused'],
  ['apps/signer/src/f.ts', '@signet/webhook', 'refused'],
  ['apps/webhook/src/f.ts', '@signet/grafeas-emulator', 'refused'], // the emulator outside tests and the demo
  ['apps/signer/src/cli/f.ts', '@signet/grafeas-emulator', 'refused'],
  ['packages/grafeas-client/src/f.ts', '@signet/grafeas-emulator', 'refused'],
  ['packages/grafeas-client/src/f.test.ts', '@signet/grafeas-emulator', 'refused'],
  ['apps/webhook/src/f.ts', '@signet/guide-world', 'refused'],
  ['apps/webhook/src/f.ts', '@signet/demo', 'refused'],
  ['apps/webhook/src/f.test.ts', '@signet/grafeas-emulator', 'allowed'],
  ['apps/webhook/src/test-support/f.ts', '@signet/guide-world', 'allowed'],
  ['apps/webhook/bench/f.ts', '@signet/grafeas-emulator', 'allowed'],
  ['apps/signer/src/test-support/f.ts', '@signet/grafeas-emulator', 'allowed'],
  ['apps/demo/src/f.ts', '@signet/grafeas-emulator', 'allowed'],
  ['apps/demo/src/f.ts', '@signet/webhook', 'allowed'],
  ['apps/webhook/src/f.ts', '@signet/policy', 'allowed'],
  ['apps/signer/src/f.ts', '@signet/grafeas-client', 'allowed'],
  ['packages/policy/src/f.ts', '@signet/signing', 'allowed'],
  ['packages/signing/src/f.ts', '@signet/errors', 'allowed'],
];

const TEST_ONLY = ['@signet/grafeas-emulator', '@signet/guide-world', '@signet/deploy'];

checkDependencies();
const scratch = mkdtempSync(join(tmpdir(), 'signet-import-rules-'));
try {
  const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
  delete config.$schema;
  config.vcs = { enabled: false };
  writeFileSync(join(scratch, 'biome.json'), JSON.stringify(config));
  const files = CASES.map(([path, source], index) => {
    const file = path.replace(/f(\.test)?\.ts$/, `case${index}$1.ts`);
    mkdirSync(join(scratch, dirname(file)), { recursive: true });
    writeFileSync(join(scratch, file), `import { x } from '${source}';\n\nexport const y = x;\n`);
    return file;
  });
  const refused = new Set(lintErrors(scratch));
  const wrong = CASES.flatMap(([path, source, expected], index) => {
    const actual = refused.has(files[index]) ? 'refused' : 'allowed';
    return actual === expected ? [] : [`${path} importing ${source}: ${actual}, expected ${expected}`];
  });
  if (wrong.length > 0) {
    console.error(`biome.json's import rules do not hold:\n  ${wrong.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`import rules: all ${CASES.length} cases hold (biome.json overrides)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** The files with a noRestrictedImports error, as Biome reports them. */
function lintErrors(dir) {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  let output;
  try {
    output = execFileSync(biome, ['lint', '--reporter=json', '--only=style/noRestrictedImports', '.'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    output = error.stdout; // Biome exits 1 when it reports errors
  }
  const report = JSON.parse(output);
  return report.diagnostics
    .filter((d) => d.category === 'lint/style/noRestrictedImports')
    .map((d) => d.location.path);
}

/** package.json: the emulator, the guide's world and deploy are never runtime dependencies (the demo aside). */
function checkDependencies() {
  const manifests = ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group)).map((name) => join(group, name, 'package.json')),
  );
  const wrong = [];
  for (const path of [...manifests, 'deploy/package.json'].filter((p) => existsSync(join(root, p)))) {
    const manifest = JSON.parse(readFileSync(join(root, path), 'utf8'));
    const runtime = Object.keys(manifest.dependencies ?? {});
    const all = [...runtime, ...Object.keys(manifest.devDependencies ?? {})];
    if (manifest.name !== '@signet/demo') {
      for (const name of runtime.filter((n) => TEST_ONLY.includes(n)))
        wrong.push(`${path}: ${name} at runtime`);
    }
    if (!path.startsWith('apps/')) {
      const apps = readdirSync(join(root, 'apps')).map(
        (name) => JSON.parse(readFileSync(join(root, 'apps', name, 'package.json'), 'utf8')).name,
      );
      for (const name of all.filter((n) => apps.includes(n)))
        wrong.push(`${path}: a package depending on app ${name}`);
    }
  }
  if (wrong.length > 0) {
    console.error(`package.json dependencies break the arrows:\n  ${wrong.join('\n  ')}`);
    process.exit(1);
  }
}
