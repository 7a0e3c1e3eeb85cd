#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImages, defaultCacheDir } from './build-images.js';
import { pinImage, pinnedDigest } from './pin.js';
import { pushArchive } from './push.js';
import { ImageBuildError } from './run.js';

const HELP = `Usage: pnpm images [options]

Builds Signet's two images, signet-webhook and signet (the CLI), FROM scratch with buildah (no daemon,
no base image to pull): Debian's libc6, libstdc++6, libgcc-s1, ca-certificates and tzdata, the pinned
Node.js 22 build, and each app's \`pnpm deploy --prod\`. Writes OCI archives, SBOMs and images.json to
the output folder and prints each image's digest. Builds of the same commit give the same digests.

Options:
  --out <dir>            output folder (default: out/images)
  --push <registry>      also push both images to <registry>/<name>:<version> (skopeo, digests kept),
                         e.g. --push registry.example.com/platform
  --registry-ca <file>   with --push: PEM CA of the registry's certificate
  --insecure-registry    with --push: plain HTTP or an unverified certificate (local registries only)
  --registry-config <f>  with --push: a Docker config.json holding the registry's login (default: where
                         skopeo and docker keep logins, e.g. after \`gcloud auth configure-docker\`)
  --no-pin               leave deploy/kustomization.yaml alone (by default its signet-webhook image is
                         set to the digest just built, and with --push to <registry>/signet-webhook)
  -h, --help             this text

Needs (Debian): buildah, skopeo with --push, apt-get with the package lists fetched (apt-get update).
Run as root, or where buildah can run with --storage-driver vfs.
Docker users: the staged context is <out>/context; \`docker build --target webhook -f deploy/Containerfile
<out>/context\` builds the same image there.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      push: { type: 'string' },
      'registry-ca': { type: 'string' },
      'insecure-registry': { type: 'boolean' },
      'registry-config': { type: 'string' },
      'no-pin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if ((values['registry-ca'] || values['insecure-registry']) && !values.push) {
    throw new ImageBuildError(
      '--registry-ca and --insecure-registry only apply with --push',
      'add --push <registry>',
    );
  }
  process.umask(0o022);
  const repoRoot = resolve(import.meta.dirname, '../../..');
  const outDir = resolve(values.out ?? join(repoRoot, 'out/images'));
  const cacheDir = defaultCacheDir();
  const log = (line: string) => console.error(`images: ${line}`);
  const result = await buildImages({ repoRoot, outDir, cacheDir, log });

  const registry = values.push?.replace(/\/+$/, '');
  for (const image of result.images) {
    const reference = `${image.name}:${image.tag}`;
    if (registry) {
      log(`pushing ${reference} to ${registry}`);
      await pushArchive(join(outDir, image.archive), reference, `${registry}/${reference}`, {
        registryCa: values['registry-ca'],
        insecure: values['insecure-registry'],
        registryConfig: values['registry-config'],
      });
    }
    console.log(`${registry ? `${registry}/` : ''}${image.name}@${image.digest}`);
  }
  const webhook = result.images.find((image) => image.name === 'signet-webhook');
  if (webhook)
    reportPin(join(repoRoot, 'deploy/kustomization.yaml'), webhook, registry, !values['no-pin'], log);
  log(`wrote ${outDir}/images.json`);
  return 0;
}

/** Pins the webhook's digest in deploy/, or with --no-pin says whether the pinned one is this build's. */
function reportPin(
  file: string,
  webhook: { name: string; digest: string },
  registry: string | undefined,
  pin: boolean,
  log: (line: string) => void,
): void {
  const newName = registry ? `${registry}/${webhook.name}` : webhook.name;
  if (pin) {
    if (pinImage(file, webhook.name, newName, webhook.digest)) {
      log(`deploy/kustomization.yaml: ${webhook.name} is now ${newName}@${webhook.digest}`);
    }
    return;
  }
  const pinned = pinnedDigest(file, webhook.name);
  log(
    pinned === webhook.digest
      ? `deploy/kustomization.yaml pins this build's ${webhook.name} digest`
      : `deploy/kustomization.yaml pins ${pinned ?? 'no digest'}, not this build's (run without --no-pin to pin it)`,
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ImageBuildError) {
      console.error(`images: ${error.message}\n  fix: ${error.fix}`);
    } else {
      console.error(`images: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  },
);
