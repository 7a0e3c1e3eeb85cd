import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtImage, builtImages } from './built-images.js';
import { tool } from './container-tools.js';

const DIGEST = `sha256:${'0'.repeat(64)}`;

/** `pnpm test:images` must fail loudly, saying what to do, when the images or the tools are missing. */
describe('the image tests refuse to run without their images', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-built-images-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('says to run `pnpm images` or set SIGNET_IMAGES when it is unset or holds no images.json', () => {
    expect(() => builtImages({})).toThrow(
      /SIGNET_IMAGES is not set: run `pnpm images` first, or set SIGNET_IMAGES/,
    );
    expect(() => builtImages({ SIGNET_IMAGES: dir })).toThrow(
      `${join(dir, 'images.json')} does not exist: run \`pnpm images\``,
    );
  });

  it('refuses an entry without a sha256 digest, or whose archive is missing', async () => {
    const entry = { name: 'signet', tag: 't', digest: DIGEST, archive: 'signet.oci.tar' };
    await writeFile(join(dir, 'images.json'), JSON.stringify({ images: [{ ...entry, digest: 'latest' }] }));
    expect(() => builtImages({ SIGNET_IMAGES: dir })).toThrow(/an entry lacks name, tag, digest/);
    await writeFile(join(dir, 'images.json'), JSON.stringify({ images: [entry] }));
    expect(() => builtImages({ SIGNET_IMAGES: dir })).toThrow(`${join(dir, 'signet.oci.tar')} (listed in`);
  });

  it('finds an image by name, its archive beside images.json', async () => {
    const entry = { name: 'signet', tag: 't', digest: DIGEST, archive: 'signet.oci.tar' };
    await writeFile(join(dir, 'images.json'), JSON.stringify({ images: [entry] }));
    await writeFile(join(dir, 'signet.oci.tar'), '');
    expect(builtImage('signet', { SIGNET_IMAGES: dir })).toEqual({
      ...entry,
      archive: join(dir, 'signet.oci.tar'),
    });
    expect(() => builtImage('signet-webhook', { SIGNET_IMAGES: dir })).toThrow(
      /lists no image "signet-webhook"/,
    );
  });

  it('names the Debian package of a missing tool', async () => {
    await expect(tool('signet-no-such-tool', [])).rejects.toThrow(
      'signet-no-such-tool is not installed: install it (Debian: `apt-get install -y signet-no-such-tool`)',
    );
  });
});
