import { type Dirent, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { neutralizeCheckoutPath } from './checkout-path.js';
import type { NodeRuntime } from './node-runtime.js';
import { runTool } from './run.js';
import { GOOGLE_APIS_LOADED } from './spec.js';
import { byText } from './text-order.js';

/**
 * `pnpm deploy --prod` of one workspace package into `dest`, with the image's Node.js on PATH and its
 * headers as node-gyp's nodedir, so that better-sqlite3 is compiled for the Node the image runs, not
 * for the Node that runs the build. Files are copied, never hard-linked to the store.
 */
export async function deployApp(
  repoRoot: string,
  workspacePackage: string,
  dest: string,
  node: NodeRuntime,
): Promise<void> {
  rmSync(dest, { recursive: true, force: true });
  await runTool(
    'pnpm',
    ['--filter', workspacePackage, 'deploy', '--prod', '--config.package-import-method=copy', dest],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PATH: `${join(node.home, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
        npm_config_nodedir: node.home,
      },
    },
  );
  // One listing of pnpm's store serves the steps below; neutralizeCheckoutPath renames entries in it,
  // so it comes after them.
  const modules = join(dest, 'node_modules');
  const store = readdirSync(join(modules, '.pnpm'), { withFileTypes: true });
  pruneApp(modules, store);
  await loadNativeModule(modules, store, node);
  neutralizeCheckoutPath(dest, repoRoot);
  sortDependencies(join(dest, 'package.json'));
}

/**
 * What pnpm writes for itself (with paths and times of this machine), shell shims under `.bin` (the
 * image has no shell), and better-sqlite3's sources and object files (only the module is loaded). A
 * compile from source also leaves an empty `node_modules/.tmp` in better-sqlite3, which pnpm's cached
 * build lacks: kept, the first build on a machine would give another digest than the next ones.
 */
function pruneApp(modules: string, store: readonly Dirent[]): void {
  rmSync(join(modules, '.modules.yaml'), { force: true });
  rmSync(join(modules, '.pnpm-workspace-state-v1.json'), { force: true });
  removeBinDirs(modules, store);
  for (const { name: entry } of store) {
    if (entry.startsWith('googleapis@'))
      pruneGoogleApis(join(modules, '.pnpm', entry, 'node_modules/googleapis'));
    if (!entry.startsWith('better-sqlite3@')) continue;
    const pkg = join(modules, '.pnpm', entry, 'node_modules/better-sqlite3');
    for (const path of [
      'deps',
      'src',
      'node_modules/.tmp',
      'build/Release/obj.target',
      'build/Release/.deps',
      'build/Release/obj',
    ]) {
      rmSync(join(pkg, path), { recursive: true, force: true });
    }
    for (const file of readdirSync(join(pkg, 'build'))) {
      if (file !== 'Release') rmSync(join(pkg, 'build', file), { recursive: true, force: true });
    }
    for (const file of readdirSync(join(pkg, 'build/Release'))) {
      if (file !== 'better_sqlite3.node')
        rmSync(join(pkg, 'build/Release', file), { recursive: true, force: true });
    }
  }
}

function pruneGoogleApis(googleapis: string): void {
  const apis = join(googleapis, 'build/src/apis');
  const kept = new Set<string>(GOOGLE_APIS_LOADED);
  for (const api of readdirSync(apis, { withFileTypes: true })) {
    if (api.isDirectory() && !kept.has(api.name))
      rmSync(join(apis, api.name), { recursive: true, force: true });
  }
}

/** pnpm writes them beside each node_modules it links: the top one and each package's own. */
function removeBinDirs(modules: string, store: readonly Dirent[]): void {
  for (const dir of [modules, ...packageDirs(modules, store)]) {
    rmSync(join(dir, 'node_modules/.bin'), { recursive: true, force: true });
  }
  rmSync(join(modules, '.bin'), { recursive: true, force: true });
  rmSync(join(modules, '.pnpm/node_modules/.bin'), { recursive: true, force: true });
}

/** Every package folder in pnpm's virtual store: `.pnpm/<entry>/node_modules/[@scope/]<name>`. */
function packageDirs(modules: string, store: readonly Dirent[]): string[] {
  const dirs: string[] = [];
  for (const entry of store) {
    if (!entry.isDirectory() || entry.name === 'node_modules') continue;
    const linked = join(modules, '.pnpm', entry.name, 'node_modules');
    for (const name of readdirSync(linked, { withFileTypes: true })) {
      if (name.isSymbolicLink()) continue; // a dependency's link; its own entry lists it
      if (!name.name.startsWith('@')) dirs.push(join(linked, name.name));
      else
        for (const scoped of readdirSync(join(linked, name.name))) dirs.push(join(linked, name.name, scoped));
    }
  }
  return dirs;
}

/**
 * pnpm writes the deployed package.json's dependencies in no fixed order (two runs, two orders); the
 * image must not depend on it.
 */
function sortDependencies(manifestFile: string): void {
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
    const deps = manifest[field];
    if (deps && typeof deps === 'object') {
      manifest[field] = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => byText(a, b)));
    }
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Fails the build, not the Pod, when the native module was built for another Node. */
async function loadNativeModule(modules: string, store: readonly Dirent[], node: NodeRuntime): Promise<void> {
  const found = store.find((entry) => entry.name.startsWith('better-sqlite3@'));
  if (!found) return;
  const pkg = join(modules, '.pnpm', found.name, 'node_modules/better-sqlite3');
  await runTool(join(node.home, 'bin/node'), [
    '-e',
    `const Database = require(${JSON.stringify(pkg)}); new Database(':memory:').prepare('select 1').get();`,
  ]);
}
