import type { CosignWrite } from '@signet/registry';
import {
  type CosignPublicKey,
  makeCosignAttestationLayer,
  makeCosignSignatureLayer,
  readCosignPrivateKey,
  SIGNATURE_ANNOTATION,
  verifyCosignSignature,
} from '@signet/signing/cosign';
import { usageError } from '../common/cli-error.js';
import type { CommandContext, CommandResult } from '../common/command-result.js';
import { parseDuration } from '../common/duration.js';
import { ExitCode } from '../common/exit-codes.js';
import { readInputText } from '../common/files.js';
import { type ImageOptions, imageByDigest, imageJson, type PinnedImage } from '../common/image.js';
import { openRegistry, type RegistryClient } from '../common/registry.js';
import { DEFAULT_REGISTRY_TIMEOUT } from '../common/registry-defaults.js';
import { cosignPassword } from '../sign/cosign-password.js';

export interface CosignSignOptions extends ImageOptions {
  cosignKey: string;
  cosignRepository?: string;
  /** With `type`: write an attestation of this predicate (a JSON file) instead of a signature. */
  predicate?: string;
  type?: string;
}

/**
 * `signet sign --cosign-key FILE`: what `cosign sign --key FILE --tlog-upload=false` does. The image is
 * pinned by digest (a tag is resolved first), the payload names the image's own repository, and the
 * signature is appended to its `sha256-<hex>.sig` tag (in COSIGN_REPOSITORY / --cosign-repository when
 * given). No store is opened: the registry holds the signature.
 */
export async function signWithCosignKey(
  options: CosignSignOptions,
  context: CommandContext,
): Promise<CommandResult> {
  const timeoutMs = parseDuration(options.registryTimeout ?? DEFAULT_REGISTRY_TIMEOUT, '--registry-timeout');
  const attestation = await readPredicate(options);
  const keyText = await readInputText(options.cosignKey, '--cosign-key');
  const key = readCosignPrivateKey(keyText, await cosignPassword(context.env, options.cosignKey));
  const registry = await openRegistry(options, context);
  const image = await imageByDigest(options, context, async () => registry);
  const repository = signatureRepository(options, context.env);
  const signed = `${image.name}@${image.digest}`;
  const target = { name: image.name, digest: image.digest };
  const where = {
    signal: AbortSignal.timeout(timeoutMs),
    ...(repository === undefined ? {} : { repository }),
  };
  if (attestation !== undefined) {
    const layer = makeCosignAttestationLayer(key, target, attestation.type, attestation.predicate);
    const write = await registry.attachCosignAttestation(signed, { layer, ...where });
    return report(options, image, key.publicKey.type, write, `attested ${signed} (${attestation.type})`);
  }
  const layer = makeCosignSignatureLayer(key, target);
  const existing = await alreadySigned(registry, signed, where, key.publicKey, layer.bytes, target);
  const write = existing ?? (await registry.attachCosignSignature(signed, { layer, ...where }));
  return report(options, image, key.publicKey.type, write, `Signed ${signed}`);
}

function report(
  options: CosignSignOptions,
  image: PinnedImage,
  keyType: string,
  write: CosignWrite,
  done: string,
): CommandResult {
  const count = `${write.layers} ${write.tag.endsWith('.att') ? 'attestation' : 'signature'}${write.layers === 1 ? '' : 's'}`;
  const what = write.appended
    ? `wrote ${write.repository}:${write.tag} (manifest ${write.digest}, ${count})`
    : `${write.repository}:${write.tag} holds this already (manifest ${write.digest}); nothing written`;
  const cosign = {
    repository: write.repository,
    tag: write.tag,
    manifestDigest: write.digest,
    layers: write.layers,
    appended: write.appended,
    keyType,
  };
  return {
    exitCode: ExitCode.ok,
    text: `${done[0]!.toUpperCase()}${done.slice(1)} with cosign key ${options.cosignKey} (${keyType})\n${what}`,
    json: { signed: true, cosign, signedImage: imageJson(image) },
  };
}

/**
 * What cosign does before it signs: when the `.sig` tag holds a signature of the same payload that the
 * key verifies, nothing is added (an ECDSA or RSA signature made again differs, yet says nothing new).
 */
async function alreadySigned(
  registry: RegistryClient,
  image: string,
  where: { signal: AbortSignal; repository?: string },
  key: CosignPublicKey,
  payload: Uint8Array,
  target: { name: string; digest: string },
): Promise<CosignWrite | undefined> {
  const read = await registry.readCosignArtifacts(image, where);
  const { signatures } = read;
  const same = signatures.layers.some(
    (layer) =>
      Buffer.from(layer.bytes).equals(Buffer.from(payload)) &&
      verifyCosignSignature(key, layer.bytes, layer.annotations[SIGNATURE_ANNOTATION] ?? '', target).valid,
  );
  if (!same || signatures.digest === undefined || signatures.tag === undefined) return undefined;
  return {
    repository: read.repository,
    tag: signatures.tag,
    digest: signatures.digest,
    layers: signatures.layers.length,
    appended: false,
  };
}

/** `--predicate FILE --type URI`: both or neither; the file must be JSON. */
async function readPredicate(
  options: CosignSignOptions,
): Promise<{ type: string; predicate: unknown } | undefined> {
  if (options.predicate === undefined && options.type === undefined) return undefined;
  if (options.predicate === undefined || options.type === undefined) {
    throw usageError(
      'PREDICATE_INCOMPLETE',
      `${options.predicate === undefined ? '--type' : '--predicate'} needs ${options.predicate === undefined ? '--predicate FILE' : '--type URI'}`,
      'give both: --predicate FILE (the predicate as JSON) and --type URI (e.g. https://slsa.dev/provenance/v1)',
    );
  }
  const text = await readInputText(options.predicate, '--predicate');
  try {
    return { type: options.type, predicate: JSON.parse(text) as unknown };
  } catch (error) {
    throw usageError(
      'PREDICATE_INVALID',
      `--predicate ${options.predicate} is not JSON (${(error as Error).message})`,
      'give the predicate as a JSON file, as `cosign attest --predicate` takes it',
    );
  }
}

/** --cosign-repository, else COSIGN_REPOSITORY (as cosign reads it), else the image's own repository. */
function signatureRepository(options: CosignSignOptions, env: NodeJS.ProcessEnv): string | undefined {
  const given = options.cosignRepository ?? env.COSIGN_REPOSITORY;
  return given === undefined || given === '' ? undefined : given;
}

/** The flags of `signet sign` that belong to Grafeas attestations and mean nothing with --cosign-key. */
const GRAFEAS_ONLY = [
  ['note', '--note'],
  ['project', '--project'],
  ['policy', '--policy'],
  ['wait', '--wait'],
  ['vulnzProject', '--vulnz-project'],
  ['pgpPassphraseEnv', '--pgp-passphrase-env'],
  ['pkixAlgorithm', '--pkix-algorithm'],
] as const;

/** Refuses flags a cosign signature would silently ignore. */
export function checkCosignFlags(options: object): void {
  const given = options as Readonly<Record<string, unknown>>;
  const extra: string[] = GRAFEAS_ONLY.filter(([key]) => given[key] !== undefined).map(([, flag]) => flag);
  if (given.payloadForm !== undefined && given.payloadForm !== 'signet') extra.push('--payload-form');
  if (extra.length === 0) return;
  throw usageError(
    'COSIGN_FLAG_CONFLICT',
    `--cosign-key writes a cosign signature to the registry; ${extra.join(', ')} belong to Grafeas attestations`,
    'drop them, or sign twice: once with --cosign-key, once with --note and a Grafeas key source',
  );
}
