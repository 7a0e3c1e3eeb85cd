import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One image that `pnpm images` built: an OCI archive holding it, under the ref name `name:tag`. */
export interface BuiltImage {
  name: string;
  tag: string;
  digest: string;
  /** Absolute path of the OCI archive (`oci-archive:` transport). */
  archive: string;
}

const FIX = 'run `pnpm images` first, or set SIGNET_IMAGES to the folder it wrote (holding images.json)';

/** The images listed in `$SIGNET_IMAGES/images.json`; fails loudly when they are not there. */
export function builtImages(env: NodeJS.ProcessEnv = process.env): BuiltImage[] {
  const dir = env.SIGNET_IMAGES;
  if (!dir) throw new Error(`SIGNET_IMAGES is not set: ${FIX}`);
  const indexFile = join(dir, 'images.json');
  if (!existsSync(indexFile)) throw new Error(`${indexFile} does not exist: ${FIX}`);
  const parsed = JSON.parse(readFileSync(indexFile, 'utf8')) as { images?: unknown };
  if (!Array.isArray(parsed.images)) throw new Error(`${indexFile} has no "images" array: ${FIX}`);
  return parsed.images.map((entry) => toBuiltImage(entry, dir, indexFile));
}

/** The built image called `name` (`signet-webhook` or `signet`). */
export function builtImage(name: string, env: NodeJS.ProcessEnv = process.env): BuiltImage {
  const image = builtImages(env).find((candidate) => candidate.name === name);
  if (!image) throw new Error(`${env.SIGNET_IMAGES}/images.json lists no image "${name}": ${FIX}`);
  return image;
}

function toBuiltImage(entry: unknown, dir: string, indexFile: string): BuiltImage {
  const fields = entry as Partial<Record<keyof BuiltImage, unknown>>;
  const { name, tag, digest, archive } = fields;
  if (
    typeof name !== 'string' ||
    typeof tag !== 'string' ||
    typeof archive !== 'string' ||
    typeof digest !== 'string' ||
    !/^sha256:[0-9a-f]{64}$/.test(digest)
  ) {
    throw new Error(
      `${indexFile}: an entry lacks name, tag, digest (sha256:…) or archive: ${JSON.stringify(entry)}`,
    );
  }
  const path = join(dir, archive);
  if (!existsSync(path)) throw new Error(`${path} (listed in ${indexFile}) does not exist: ${FIX}`);
  return { name, tag, digest, archive: path };
}
