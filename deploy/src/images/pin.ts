import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';

/**
 * Sets the kustomization's `images:` entry for `name` to `newName@digest`, as
 * `kustomize edit set image name=newName@digest` would (kubectl has no `edit`), keeping the file's
 * comments and every other entry. Returns whether the file changed.
 */
export function pinImage(kustomizationFile: string, name: string, newName: string, digest: string): boolean {
  const before = readFileSync(kustomizationFile, 'utf8');
  const document = parseDocument(before);
  let images = document.get('images');
  if (!isSeq(images)) {
    images = new YAMLSeq();
    document.set('images', images);
  }
  const entries = (images as YAMLSeq).items;
  let entry = entries.find((item) => isMap(item) && item.get('name') === name) as YAMLMap | undefined;
  if (!entry) {
    entry = new YAMLMap();
    entry.set('name', name);
    entries.push(entry);
  }
  entry.set('newName', newName);
  entry.delete('newTag');
  entry.set('digest', digest);
  const after = document.toString();
  if (after === before) return false;
  writeFileSync(kustomizationFile, after);
  return true;
}

/** The digest the kustomization's `images:` entry for `name` pins, if any. */
export function pinnedDigest(kustomizationFile: string, name: string): string | undefined {
  const images = parseDocument(readFileSync(kustomizationFile, 'utf8')).get('images');
  if (!isSeq(images)) return undefined;
  const entry = images.items.find((item) => isMap(item) && item.get('name') === name) as YAMLMap | undefined;
  const digest = entry?.get('digest');
  return typeof digest === 'string' ? digest : undefined;
}
