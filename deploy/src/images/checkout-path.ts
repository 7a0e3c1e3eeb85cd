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
 * in package.json files). Left alone, two checkouts of one commit would make two digests. This moves
 * them all to one fixed root, and drops pnpm's lockfiles, which hold the same paths (the SBOM keeps
 * what they say).
 */
export function neutralizeCheckoutPath(app: string, repoRoot: string): void {
  const from = `file://${repoRoot}`;
  const encode = (url: string) => url.replace(/[:/]/g, '+');
  const store = join(app, 'node_modules/.pnpm');
  for (const entry of readdirSync(store)) {
    if (entry.includes(encode(from)))
      renameSync(join(store, entry), join(store, entry.replace(encode(from), encode(FIXED_ROOT))));
  }
  for (const link of linksIn(join(app, 'node_modules'))) {
    const target = readlinkSync(link);
    if (!target.includes(encode(from))) continue;
    rmSync(link);
    symlinkSync(target.replace(encode(from), encode(FIXED_ROOT)), link);
  }
  for (const manifest of [join(app, 'package.json'), ...injectedManifests(store)]) {
    const text = readFileSync(manifest, 'utf8');
    if (text.includes(from)) writeFileSync(manifest, text.replaceAll(from, FIXED_ROOT));
  }
  for (const lockfile of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'node_modules/.pnpm/lock.yaml']) {
    rmSync(join(app, lockfile), { force: true });
  }
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
