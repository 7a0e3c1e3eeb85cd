import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import { type KubeObject, parseObjects } from './guide-commands.js';

/** What the manifests are made of; a package's own build and test files are not copied. */
const NOT_MANIFESTS = new Set(['node_modules', 'dist', 'src', '.turbo']);

/**
 * What `kubectl apply -k directory` would apply, rendered by the real `kubectl kustomize`. With
 * `components`, renders a scratch copy of `directory` whose kustomization enables them, as its
 * comment tells the user to do (so the kustomization's namespace applies to their objects too).
 */
export function renderKustomization(directory: string, components: readonly string[] = []): KubeObject[] {
  if (components.length === 0) return parseObjects(kustomize(directory));
  const scratch = mkdtempSync(join(tmpdir(), 'signet-kustomize-'));
  try {
    const copy = join(scratch, basename(directory));
    cpSync(directory, copy, { recursive: true, filter: (path) => !NOT_MANIFESTS.has(basename(path)) });
    const file = join(copy, 'kustomization.yaml');
    const kustomization = parseDocument(readFileSync(file, 'utf8'));
    const enabled = (kustomization.toJS()?.components ?? []) as string[];
    kustomization.set('components', [...enabled, ...components]);
    writeFileSync(file, kustomization.toString());
    return parseObjects(kustomize(copy));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function kustomize(directory: string): string {
  return execFileSync('kubectl', ['kustomize', directory], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}
