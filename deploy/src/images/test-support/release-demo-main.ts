import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReleaseDemo } from './release-demo.js';

// `pnpm demo:release [IMAGES_DIR]` (from the repository root): the folder `pnpm images` wrote, else $SIGNET_IMAGES.
const given = process.argv[2] ?? process.env.SIGNET_IMAGES;
if (!given) {
  process.stderr.write(
    'usage: pnpm demo:release IMAGES_DIR (or SIGNET_IMAGES=IMAGES_DIR): the folder `pnpm images` wrote\n',
  );
  process.exit(2);
}
const imagesDir = resolve(given);
const workDir = mkdtempSync(join(tmpdir(), 'signet-release-demo-'));
const log = (line: string) => process.stdout.write(`${line}\n`);
log("Signet guards its own release: build, push, sign, and admit Signet's webhook image with itself\n");
try {
  const decisions = await runReleaseDemo({ imagesDir, workDir, log });
  const admitted = decisions.signed.validate.allowed && !decisions.rebuild.validate.allowed;
  log(
    admitted
      ? '\nThe signed release was admitted by tag; the unsigned rebuild under the same tag was denied.'
      : '\nUnexpected: the signed release must be admitted and the unsigned rebuild denied.',
  );
  if (!admitted) process.exitCode = 1;
} catch (error) {
  process.stderr.write(
    `signet release demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
