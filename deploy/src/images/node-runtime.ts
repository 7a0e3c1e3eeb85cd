import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ImageBuildError, runTool } from './run.js';
import { NODE_RUNTIME } from './spec.js';

/** The unpacked Node.js release: `bin/node` for the image, `include/node` for native modules. */
export interface NodeRuntime {
  readonly version: string;
  readonly home: string;
}

/**
 * Fetches the pinned Node.js release from the npm registry into the cache (once), checks it against
 * the pinned integrity, and unpacks it under `workDir`.
 */
export async function fetchNodeRuntime(cacheDir: string, workDir: string): Promise<NodeRuntime> {
  const tarball = await cachedTarball(cacheDir);
  const home = join(workDir, 'node');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  await runTool('tar', ['-xzf', tarball, '-C', home, '--strip-components=1']);
  return { version: NODE_RUNTIME.version, home };
}

async function cachedTarball(cacheDir: string): Promise<string> {
  const { package: name, version } = NODE_RUNTIME;
  const tarball = join(cacheDir, `${name}-${version}.tgz`);
  if (!existsSync(tarball)) {
    mkdirSync(cacheDir, { recursive: true });
    await runTool('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--silent']);
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== NODE_RUNTIME.integrity) {
    rmSync(tarball, { force: true });
    throw new ImageBuildError(
      `${name}@${version} from the npm registry is not the pinned build (integrity ${integrity})`,
      `check the registry npm uses (npm config get registry); deploy/src/images/spec.ts pins ${NODE_RUNTIME.integrity}`,
    );
  }
  return tarball;
}
