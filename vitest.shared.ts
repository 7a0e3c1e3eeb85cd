import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const repoRoot = dirname(fileURLToPath(import.meta.url));

/**
 * The external vectors the tests read (testdata/README.md says where each set came from). Tests find
 * them through SIGNET_TESTDATA, set here and nowhere else.
 */
const testdataDir = join(repoRoot, 'testdata');
if (!existsSync(join(testdataDir, 'README.md'))) {
  throw new Error(`test vectors not found at ${testdataDir}: restore them with git checkout -- testdata`);
}

/**
 * `*.interop.test.ts` need tools a fresh machine may lack (skopeo); they run only under
 * `pnpm test:interop` (SIGNET_INTEROP=1), where a missing tool fails the run. `*.kube.test.ts` need a
 * real kube-apiserver and run only under `pnpm test:kube`.
 */
const interop = process.env.SIGNET_INTEROP === '1';

export default defineConfig({
  test: {
    include: interop ? ['src/**/*.interop.test.ts'] : ['src/**/*.test.ts'],
    exclude: interop ? [] : ['src/**/*.interop.test.ts', 'src/**/*.kube.test.ts'],
    // A guard against hangs, not a speed limit: on a busy 2-core machine (the suite runs beside other
    // suites, see scripts/check-under-load.sh) an RSA-3072 key or a child process's start takes minutes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    env: { SIGNET_TESTDATA: testdataDir },
  },
});
