import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** vitest globalSetup: the tests run the real `signet` process, so compile it once first. */
export default function setup(): void {
  if (process.env.SIGNET_TEST_SKIP_BUILD === '1') return;
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
}
