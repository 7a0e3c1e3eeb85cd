import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from './run.js';

/** buildah with its own storage under the build's work folder: vfs, which needs no kernel overlay. */
export class Buildah {
  private readonly global: string[];

  constructor(storageDir: string) {
    this.global = [
      '--storage-driver',
      'vfs',
      '--root',
      join(storageDir, 'root'),
      '--runroot',
      join(storageDir, 'run'),
    ];
  }

  /**
   * Builds one Containerfile stage. `--timestamp 0` sets every history entry, the config's `created`
   * and each layer file's mtime to the epoch, so that only the content decides the digest.
   */
  async build(containerfile: string, target: string, context: string, image: string): Promise<void> {
    await runTool('buildah', [
      ...this.global,
      'build',
      '--isolation',
      'chroot',
      '--timestamp',
      '0',
      '--pull=never',
      '--target',
      target,
      '-f',
      containerfile,
      '-t',
      image,
      context,
    ]);
  }

  /** Writes the image as an OCI archive and returns its manifest digest. */
  async pushToArchive(image: string, archive: string, reference: string): Promise<string> {
    const digestFile = `${archive}.digest`;
    await runTool('buildah', [
      ...this.global,
      'push',
      '--quiet',
      '--digestfile',
      digestFile,
      image,
      `oci-archive:${archive}:${reference}`,
    ]);
    return readFileSync(digestFile, 'utf8').trim();
  }
}
