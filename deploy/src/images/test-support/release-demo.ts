import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AdmissionAnswer,
  type JsonPatchOperation,
  patchedReview,
  podCreateReview,
  postReview,
} from './admission.js';
import { type BuiltImage, builtImage } from './built-images.js';
import { RELEASE_NAMESPACE, writeReleasePolicies } from './release-policies.js';
import { startReleaseRegistry } from './release-registry.js';
import { prepareSigner, RELEASE_NOTE_NAME } from './release-signer.js';
import { requireReleaseTools } from './release-tools.js';
import { startReleaseWebhook } from './release-webhook.js';
import { unpackImage } from './run-container.js';

export interface ReleaseDemoOptions {
  /** `pnpm images`' output folder (images.json and the OCI archives). */
  imagesDir: string;
  /** An empty folder for the registry, keys, store and policies; the caller removes it. */
  workDir: string;
  /** Where each step goes, one line at a time. */
  log: (line: string) => void;
}

/** One Pod, named by tag, through both hooks: the digest /mutate pinned, and /validate's verdict on it. */
interface TagDecision {
  /** The digest the registry served for the tag when the review came. */
  pushedDigest: string;
  mutate: AdmissionAnswer;
  /** The image the patched Pod names (`REPO:TAG@sha256:…`), when /mutate pinned one. */
  pinnedImage?: string;
  validate: AdmissionAnswer;
}

export interface ReleaseDecisions {
  /** The Pod's image as written: `REGISTRY/signet/signet-webhook:TAG`. */
  image: string;
  /** The webhook image, signed by digest both ways. */
  signed: TagDecision;
  /** The same tag moved to an unsigned image (the CLI image, re-tagged). */
  rebuild: TagDecision;
  /** The webhook's arguments after its entrypoint, as run in the container. */
  webhookArgs: string[];
}

/**
 * "Signet guards its own release": the webhook image `pnpm images` built is pushed by tag to a TLS
 * registry, signed by digest (a Grafeas attestation with a PGP key in the embedded store, a cosign
 * signature in the registry), and a webhook running from that very image (runc) pins a Pod's tag and
 * admits it; the tag moved to an unsigned image is pinned to the new digest and denied.
 */
export async function runReleaseDemo(options: ReleaseDemoOptions): Promise<ReleaseDecisions> {
  requireReleaseTools();
  const { log, workDir } = options;
  const images = { SIGNET_IMAGES: options.imagesDir };
  const webhookImage = builtImage('signet-webhook', images);
  const rebuildImage = builtImage('signet', images);
  log(`1. The webhook image (pnpm images): ${describe(webhookImage)}`);

  const registry = await startReleaseRegistry(join(workDir, 'registry'));
  try {
    const image = `${registry.host}/signet/signet-webhook:${webhookImage.tag}`;
    const repository = image.slice(0, image.lastIndexOf(':'));
    log(`2. Push it by tag to docker-registry over TLS (its CA made by openssl): ${image}`);
    await registry.push(webhookImage, image);
    const signedDigest = await registry.digestOf(image);
    log(`   the registry serves ${signedDigest}${sameDigest(signedDigest, webhookImage)}`);

    log(`3. Sign ${repository}@${signedDigest} by digest, with signet`);
    const storeDir = join(workDir, 'store');
    mkdirSync(storeDir, { recursive: true });
    const keysDir = mkdirIn(workDir, 'keys');
    const signer = await prepareSigner({
      dir: keysDir,
      storeFile: join(storeDir, 'metadata.db'),
      registryConfigFile: registry.configFile,
      registryCaFile: registry.pki.caFile,
      log: (line) => log(`   ${line}`),
    });
    await signer.sign(`${repository}@${signedDigest}`);
    const policiesDir = mkdirIn(workDir, 'policies');
    const policyFile = writeReleasePolicies(policiesDir, keysDir);
    log(`   the README's release policy, with these keys: ${policyFile}`);
    log(
      `     ${RELEASE_NOTE_NAME} (PGP key) and the cosign key, both required in namespace ${RELEASE_NAMESPACE}`,
    );

    log('4. Run signet-webhook from the same image (runc, uid 65532, read-only root)');
    const unpacked = await unpackImage(webhookImage);
    try {
      const webhook = await startReleaseWebhook(unpacked, {
        dir: mkdirIn(workDir, 'webhook'),
        tlsCertFile: registry.pki.serverCertFile,
        tlsKeyFile: registry.pki.serverKeyFile,
        tlsCaFile: registry.pki.caFile,
        registryCaFile: registry.pki.caFile,
        registryConfigFile: registry.configFile,
        policiesDir,
        storeDir,
        storeFileName: 'metadata.db',
      });
      try {
        log(`   ${webhook.url}: signet-webhook ${webhook.args.join(' ')}`);
        const judge = (digest: string) => judgeTag(webhook.url, registry.pki.caPem, image, digest, log);
        log(`   kubectl run signet-webhook -n ${RELEASE_NAMESPACE} --image ${image}`);
        const signed = await judge(signedDigest);

        log(`5. An unsigned rebuild under the same tag (the signet CLI image, re-tagged): ${image}`);
        await registry.push(rebuildImage, image);
        const rebuildDigest = await registry.digestOf(image);
        log(`   the registry now serves ${rebuildDigest}`);
        const rebuild = await judge(rebuildDigest);
        const exitCode = await webhook.stop();
        log(`   stopped the webhook (SIGTERM, exit ${exitCode})`);
        return { image, signed, rebuild, webhookArgs: webhook.args };
      } finally {
        await webhook.container.remove();
      }
    } finally {
      await unpacked.remove();
    }
  } finally {
    await registry.stop();
  }
}

/** The Pod by tag: /mutate, then /validate of the patched Pod, each printed. */
async function judgeTag(
  url: string,
  ca: string,
  image: string,
  pushedDigest: string,
  log: (line: string) => void,
): Promise<TagDecision> {
  const review = podCreateReview('signet-webhook', RELEASE_NAMESPACE, image);
  const mutate = await postReview(`${url}/mutate?timeout=10s`, review, ca);
  const patch: JsonPatchOperation[] = mutate.patch ?? [];
  const pinnedImage = patch.find((op) => op.op === 'replace' && op.path.endsWith('/image'))?.value;
  log(
    `   POST /mutate   ${verdict(mutate)}${typeof pinnedImage === 'string' ? `: image → ${pinnedImage}` : ''}`,
  );
  for (const line of details(mutate)) log(line);
  const validate = await postReview(`${url}/validate?timeout=10s`, patchedReview(review, patch), ca);
  log(`   POST /validate ${verdict(validate)}`);
  for (const line of details(validate)) log(line);
  return {
    pushedDigest,
    mutate,
    ...(typeof pinnedImage === 'string' ? { pinnedImage } : {}),
    validate,
  };
}

function verdict(answer: AdmissionAnswer): string {
  return answer.allowed ? 'ALLOWED' : `DENIED (${answer.code ?? 403})`;
}

function details(answer: AdmissionAnswer): string[] {
  return (answer.message ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => `                  ${line}`);
}

function describe(image: BuiltImage): string {
  return `${image.name}:${image.tag} ${image.digest} (${image.archive})`;
}

/** The registry must serve the digest `pnpm images` recorded (skopeo --preserve-digests): say so either way. */
function sameDigest(served: string, image: BuiltImage): string {
  return served === image.digest
    ? ', the digest images.json records'
    : ` (images.json records ${image.digest})`;
}

function mkdirIn(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
