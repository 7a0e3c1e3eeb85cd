import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../guide-commands.js';
import { buildImages, defaultCacheDir } from './build-images.js';
import { builtImage, builtImages } from './test-support/built-images.js';

const second = mkdtempSync(join(tmpdir(), 'signet-images-again-'));
afterAll(() => rmSync(second, { recursive: true, force: true }));

it('a second build of the same commit, into another folder, gives the same digests and SBOMs', async () => {
  // The first build: `pnpm images`' output folder, which `.ci/run` names in SIGNET_IMAGES.
  const first = builtImages();
  const again = await buildImages({
    repoRoot: REPO_ROOT,
    outDir: second,
    cacheDir: defaultCacheDir(),
    log: () => {},
  });
  const digests = (images: readonly { name: string; digest: string }[]) =>
    images.map(({ name, digest }) => `${name}@${digest}`);
  expect(digests(again.images)).toEqual(digests(first));
  for (const image of again.images) {
    // pnpm images writes each SBOM beside the image's archive.
    const firstSbom = join(dirname(builtImage(image.name).archive), image.sbom);
    expect(readFileSync(join(second, image.sbom), 'utf8')).toBe(readFileSync(firstSbom, 'utf8'));
  }
});
