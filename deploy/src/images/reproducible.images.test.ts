import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../guide-commands.js';
import { type BuildResult, buildImages, defaultCacheDir } from './build-images.js';

/** The first build: `pnpm images`' output folder, which `.ci/run` names in SIGNET_IMAGES. */
function firstBuild(): BuildResult {
  const dir = process.env.SIGNET_IMAGES;
  if (!dir)
    throw new Error(
      'SIGNET_IMAGES is not set: run `pnpm images`, then SIGNET_IMAGES=out/images pnpm test:images',
    );
  return JSON.parse(readFileSync(join(dir, 'images.json'), 'utf8')) as BuildResult;
}

const second = mkdtempSync(join(tmpdir(), 'signet-images-again-'));
afterAll(() => rmSync(second, { recursive: true, force: true }));

it('a second build of the same commit, into another folder, gives the same digests and SBOMs', async () => {
  const first = firstBuild();
  const again = await buildImages({
    repoRoot: REPO_ROOT,
    outDir: second,
    cacheDir: defaultCacheDir(),
    log: () => {},
  });
  const digests = (result: BuildResult) => result.images.map(({ name, digest }) => `${name}@${digest}`);
  expect(digests(again)).toEqual(digests(first));
  for (const image of again.images) {
    expect(readFileSync(join(second, image.sbom), 'utf8')).toBe(
      readFileSync(join(process.env.SIGNET_IMAGES as string, image.sbom), 'utf8'),
    );
  }
});
