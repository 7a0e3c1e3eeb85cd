import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReleaseDemo } from './release-demo.js';

// `pnpm demo:release [IMAGES_DIR]` (from the repository root): the folder `pnpm images` wrote, else
// $SIGNET_IMAGES, else its default out/images (a missing images.json says to run `pnpm images`).
const imagesDir = resolve(process.argv[2] ?? process.env.SIGNET_IMAGES ?? 'out/images');
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
