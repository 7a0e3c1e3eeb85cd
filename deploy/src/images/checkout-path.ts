import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Where the image says its workspace packages came from, whatever the checkout's path was. */
const FIXED_ROOT = 'file:///signet';

/**
 * `pnpm deploy` names the workspace packages it copies in after the checkout's absolute path (the
 * folder `.pnpm/@signet+policy@file++++work+main+packages+policy`, the links to it, and `file:` specs
 * in package.json files). Where that name has capitals or is long, pnpm also cuts it and appends a hash
 * of the whole (`…+packages+policy_b09457de…`). Left alone, two checkouts of one commit would make two
 * digests. This renames each such folder after the package and its folder under one fixed root, points
 * the links there, and drops pnpm's lockfiles, which hold the same paths (the SBOM keeps what they say).
 */
export function neutralizeCheckoutPath(app: string, repoRoot: string): void {
  const from = `file://${repoRoot}`;
  const store = join(app, 'node_modules/.pnpm');
  const renames = injectedEntryNames(store, workspaceDirs(repoRoot));
  for (const [entry, fixed] of renames) renameSync(join(store, entry), join(store, fixed));
  for (const link of linksIn(join(app, 'node_modules'))) {
    const target = readlinkSync(link);
    const fixed = target
      .split('/')
      .map((segment) => renames.get(segment) ?? segment)
      .join('/');
    if (fixed === target) continue;
    rmSync(link);
    symlinkSync(fixed, link);
  }
  for (const manifest of [join(app, 'package.json'), ...injectedManifests(store)]) {
    const text = readFileSync(manifest, 'utf8');
    if (text.includes(from)) writeFileSync(manifest, text.replaceAll(from, FIXED_ROOT));
  }
  for (const lockfile of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'node_modules/.pnpm/lock.yaml']) {
    rmSync(join(app, lockfile), { force: true });
  }
}

/** `@signet+policy@file+<anything>` → `@signet+policy@file++++signet+packages+policy`. */
function injectedEntryNames(store: string, dirs: Map<string, string>): Map<string, string> {
  const renames = new Map<string, string>();
  for (const entry of readdirSync(store)) {
    const scoped = entry.match(/^@signet\+([^@]+)@file\+/)?.[1];
    if (!scoped) continue;
    const dir = dirs.get(`@signet/${scoped}`);
    if (!dir) throw new Error(`pnpm deploy copied @signet/${scoped}, which is no workspace package`);
    const fixed = `@signet+${scoped}@${`${FIXED_ROOT}/${dir}`.replace(/[:/]/g, '+')}`;
    if (fixed !== entry) renames.set(entry, fixed);
  }
  return renames;
}

/** Each workspace package's name → its folder under the checkout (`packages/policy`). */
function workspaceDirs(repoRoot: string): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const parent of ['packages', 'apps']) {
    if (!existsSync(join(repoRoot, parent))) continue;
    for (const name of readdirSync(join(repoRoot, parent))) {
      const manifest = join(repoRoot, parent, name, 'package.json');
      if (!existsSync(manifest)) continue;
      dirs.set((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name, `${parent}/${name}`);
    }
  }
  return dirs;
}

/** The links pnpm makes: top-level and hoisted packages, and each store entry's dependencies. */
function linksIn(modules: string): string[] {
  const store = join(modules, '.pnpm');
  const folders = [modules, join(store, 'node_modules')];
  for (const entry of readdirSync(store, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'node_modules')
      folders.push(join(store, entry.name, 'node_modules'));
  }
  return folders.filter((folder) => existsSync(folder)).flatMap(linksInFolder);
}

function linksInFolder(folder: string): string[] {
  const links: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isSymbolicLink()) links.push(path);
    else if (entry.isDirectory() && entry.name.startsWith('@')) links.push(...linksInFolder(path));
  }
  return links;
}

function injectedManifests(store: string): string[] {
  return readdirSync(store)
    .filter((entry) => entry.startsWith('@signet+'))
    .flatMap((entry) => {
      const scope = join(store, entry, 'node_modules/@signet');
      return readdirSync(scope, { withFileTypes: true })
        .filter((name) => name.isDirectory())
        .map((name) => join(scope, name.name, 'package.json'));
    });
}
