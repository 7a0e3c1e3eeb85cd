import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { deployApp } from './app-tree.js';
import { Buildah } from './buildah.js';
import { type DebianPackage, stageDebianRootfs } from './debian-rootfs.js';
import { fetchNodeRuntime } from './node-runtime.js';
import { runTool } from './run.js';
import { makeSbom } from './sbom.js';
import { IMAGES, type ImageSpec } from './spec.js';

interface BuiltImage {
  readonly name: string;
  readonly tag: string;
  readonly digest: string;
  /** File names inside the output folder. */
  readonly archive: string;
  readonly sbom: string;
}

/** What images.json holds: the images, and what their base layer was made of. */
export interface BuildResult {
  readonly images: BuiltImage[];
  readonly node: string;
  readonly debian: DebianPackage[];
}

export interface BuildOptions {
  readonly repoRoot: string;
  readonly outDir: string;
  /** Downloads kept between builds (the Node.js tarball). */
  readonly cacheDir: string;
  readonly log: (line: string) => void;
}

/** Where downloads are kept between builds: `$XDG_CACHE_HOME/signet-images`. */
export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'signet-images');
}

/**
 * Stages the build context (`<out>/context`: `base/` shared by both images, then one folder per
 * image), builds each Containerfile target with buildah, and writes each image to
 * `<out>/<name>.oci.tar` with its SBOM beside it and in the image.
 */
export async function buildImages(options: BuildOptions): Promise<BuildResult> {
  const { repoRoot, outDir, log } = options;
  const context = join(outDir, 'context');
  const work = join(outDir, '.work');
  rmSync(context, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  const sourceDate = await commitDate(repoRoot);

  log(`Node.js: fetching the pinned release`);
  const node = await fetchNodeRuntime(options.cacheDir, work);
  log(`Debian packages: downloading and unpacking`);
  const debian = await stageDebianRootfs(work, join(context, 'base'));
  mkdirSync(join(context, 'base/nodejs/bin'), { recursive: true });
  cpSync(join(node.home, 'bin/node'), join(context, 'base/nodejs/bin/node'));
  cpSync(join(node.home, 'LICENSE'), join(context, 'base/nodejs/LICENSE'));

  const buildah = new Buildah(join(work, 'buildah'));
  const images: BuiltImage[] = [];
  try {
    for (const spec of IMAGES) {
      log(
        `${spec.name}: pnpm deploy --prod ${spec.workspacePackage} (native modules built for Node ${node.version})`,
      );
      const layer = join(context, spec.target);
      await deployApp(repoRoot, spec.workspacePackage, join(layer, 'app'), node);
      const sbom = await makeSbom(repoRoot, spec.workspacePackage, sourceDate, node, debian);
      mkdirSync(join(layer, 'usr/share/doc/signet'), { recursive: true });
      writeFileSync(join(layer, 'usr/share/doc/signet/sbom.cdx.json'), sbom);
      writeFileSync(join(outDir, `${spec.name}.cdx.json`), sbom);
      images.push(await buildOne(buildah, spec, repoRoot, outDir, log));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const result: BuildResult = { images, node: node.version, debian };
  writeFileSync(join(outDir, 'images.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

async function buildOne(
  buildah: Buildah,
  spec: ImageSpec,
  repoRoot: string,
  outDir: string,
  log: (line: string) => void,
): Promise<BuiltImage> {
  const tag = packageVersion(repoRoot, spec);
  const reference = `${spec.name}:${tag}`;
  log(`${spec.name}: buildah build --target ${spec.target}`);
  await buildah.build(
    join(repoRoot, 'deploy/Containerfile'),
    spec.target,
    join(outDir, 'context'),
    reference,
  );
  const archive = `${spec.name}.oci.tar`;
  rmSync(join(outDir, archive), { force: true });
  const digest = await buildah.pushToArchive(reference, join(outDir, archive), reference);
  rmSync(join(outDir, `${archive}.digest`), { force: true });
  return { name: spec.name, tag, digest, archive, sbom: `${spec.name}.cdx.json` };
}

function packageVersion(repoRoot: string, spec: ImageSpec): string {
  const manifest = readFileSync(join(repoRoot, spec.workspaceDir, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/**
 * What the images are built from, as git pathspecs: a commit that touches none of it (a test, the
 * README, the digest pinned in deploy/) leaves the digests as they were.
 */
const IMAGE_INPUTS = [
  'apps',
  'packages',
  'package.json',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'deploy/Containerfile',
  'deploy/src/images',
  ':(exclude)deploy/src/images/test-support',
  ':(exclude,glob)**/*.test.ts',
];

/**
 * SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the time of the last commit
 * that changed the images' inputs: not HEAD's, or the commit that pins the digest in deploy/ would
 * itself change the digest.
 */
async function commitDate(repoRoot: string): Promise<Date> {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  const fromGit = () =>
    runTool('git', ['log', '-1', '--format=%ct', '--', ...IMAGE_INPUTS], { cwd: repoRoot });
  const seconds = (fromEnv ?? (await fromGit())).trim();
  return new Date(Number(seconds) * 1000);
}
