import { chmod, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../guide-commands.js';
import { builtImage } from './test-support/built-images.js';
import { runContainer, type UnpackedImage, unpackImage } from './test-support/run-container.js';
import { makeSignedStore, SIGNED_IMAGE, UNSIGNED_IMAGE } from './test-support/signer-fixture.js';

/** The image's user (the images run as 65532:65532, distroless's "nonroot"). */
const NONROOT = 65532;

describe('the signet (CLI) image, run by runc', () => {
  let image: UnpackedImage;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-cli-image-'));
    [image] = await Promise.all([unpackImage(builtImage('signet')), makeSignedStore(dir)]);
    // The store is a volume the image's user owns (SQLite in WAL mode writes its -wal and -shm beside it).
    await chmod(dir, 0o755);
    for (const name of await readdir(dir)) await chown(join(dir, name), NONROOT, NONROOT);
    await chown(dir, NONROOT, NONROOT);
  });
  afterAll(async () => {
    await image?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  const verify = (imageRef: string) =>
    runContainer(image, {
      args: [
        '--store',
        'sqlite:/store/metadata.db',
        'verify',
        '--image',
        imageRef,
        '--authority',
        '/store/authority.yaml',
      ],
      mounts: [{ source: dir, destination: '/store', writable: true }],
    });

  it('runs as 65532:65532 and prints the version of the workspace signer', async () => {
    expect(image.spec.process.user).toMatchObject({ uid: NONROOT, gid: NONROOT });
    const { version } = JSON.parse(
      await readFile(join(REPO_ROOT, 'apps', 'signer', 'package.json'), 'utf8'),
    ) as {
      version: string;
    };
    const result = await runContainer(image, { args: ['--version'] });
    expect(result).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('with no arguments, teaches: its Cmd is --help, and arguments replace it', async () => {
    const result = await runContainer(image);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: signet /);
  });

  it('verifies the digest the workspace signer signed (exit 0)', async () => {
    const result = await verify(SIGNED_IMAGE);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/ATTESTED/);
    expect(result.stdout).not.toMatch(/NOT ATTESTED/);
    expect(result.exitCode).toBe(0);
  });

  it('refuses an unsigned digest with exit 1 (a verdict of "no")', async () => {
    const result = await verify(UNSIGNED_IMAGE);
    expect(result.stdout).toMatch(/NOT ATTESTED/);
    expect(result.exitCode).toBe(1);
  });
});
