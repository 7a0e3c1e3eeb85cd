import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pinImage, pinnedDigest } from './pin.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('pinImage', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-pin-'));
    file = join(dir, 'kustomization.yaml');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds an images entry with the digest, keeping the comments', () => {
    writeFileSync(
      file,
      '# how to use this\nkind: Kustomization\nresources:\n  - deployment.yaml # the webhook\n',
    );
    expect(pinImage(file, 'signet-webhook', 'signet-webhook', DIGEST)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# how to use this');
    expect(text).toContain('# the webhook');
    expect(parse(text).images).toEqual([
      { name: 'signet-webhook', newName: 'signet-webhook', digest: DIGEST },
    ]);
  });

  it('replaces a tag by the digest and leaves other images alone', () => {
    writeFileSync(
      file,
      'images:\n  - name: other\n    newTag: "1"\n  - name: signet-webhook\n    newName: old/signet-webhook\n    newTag: "0.1.0"\n',
    );
    pinImage(file, 'signet-webhook', 'registry.example/team/signet-webhook', DIGEST);
    expect(parse(readFileSync(file, 'utf8')).images).toEqual([
      { name: 'other', newTag: '1' },
      { name: 'signet-webhook', newName: 'registry.example/team/signet-webhook', digest: DIGEST },
    ]);
  });

  it('reads back the pinned digest, and none where there is no entry', () => {
    writeFileSync(file, 'kind: Kustomization\n');
    expect(pinnedDigest(file, 'signet-webhook')).toBeUndefined();
    pinImage(file, 'signet-webhook', 'signet-webhook', DIGEST);
    expect(pinnedDigest(file, 'signet-webhook')).toBe(DIGEST);
    expect(pinnedDigest(file, 'other')).toBeUndefined();
  });

  it('says when nothing changed, and leaves the file as it was', () => {
    writeFileSync(
      file,
      `images:\n  - name: signet-webhook\n    newName: signet-webhook\n    digest: ${DIGEST}\n`,
    );
    const before = readFileSync(file, 'utf8');
    expect(pinImage(file, 'signet-webhook', 'signet-webhook', DIGEST)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
