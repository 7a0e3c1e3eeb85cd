import type { CommandAction } from '../common/command-result.js';
import { parseDuration } from '../common/duration.js';
import { ExitCode } from '../common/exit-codes.js';
import { openRegistry, type RegistryOptions } from '../common/registry.js';

export interface ResolveOptions extends RegistryOptions {
  images: string[];
  timeout: string;
}

/** `signet resolve IMAGE…`: each image pinned by the digest its registry serves, one per line. */
export const run: CommandAction<ResolveOptions> = async (options, context) => {
  const client = await openRegistry(options, context);
  const signal = AbortSignal.timeout(parseDuration(options.timeout, '--timeout'));
  const resolved = [];
  for (const image of options.images) resolved.push(await client.resolve(image, { signal }));
  return {
    exitCode: ExitCode.ok,
    text: resolved.map((r) => `${r.pinned}\n`).join(''),
    json: resolved.map((r, i) => ({
      image: options.images[i],
      pinned: r.pinned,
      digest: r.digest,
      mediaType: r.mediaType ?? null,
    })),
  };
};
