import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageReference } from '@signet/signing';
import type { CosignArtifacts, CosignManifestRead, CosignReadOptions, CosignSource } from '../metadata.js';
import { MemoryMetadata } from './memory-metadata.js';

// What cosign 2.5.0 wrote to a registry: testdata/cosign/README.md says how it was recorded.
const dir = join(process.env.SIGNET_TESTDATA!, 'cosign');

/** The recorded image, in repository `signet/app` (also pushed to `signet/other`, and `signet/bundle` holding the bundle). */
export const COSIGN_DIGEST = 'sha256:3601fa8a5a80dba862b9c4a0fb4ae8d393bf4f30d720aa94a7f395facb22e55a';
export const COSIGN_APP = '127.0.0.1:5123/signet/app';
export const COSIGN_OTHER = '127.0.0.1:5123/signet/other';
export const SIG_TAG = `${COSIGN_DIGEST.replace(':', '-')}.sig`;
export const ATT_TAG = `${COSIGN_DIGEST.replace(':', '-')}.att`;
export const SLSA_V1 = 'https://slsa.dev/provenance/v1';

type RecordedKey = 'ecdsa-p256' | 'ed25519' | 'rsa-3072' | 'ecdsa-p384';

/** An authority's `cosign.publicKeyData` for a recorded key: base64 of its PEM file. */
export function recordedKeyData(name: RecordedKey): string {
  return readFileSync(join(dir, 'keys', `${name}.pub`)).toString('base64');
}

/** A P-256 key cosign never signed with. */
export function freshKeyData(): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })).toString('base64');
}

interface ManifestFile {
  layers: { mediaType: string; digest: string; annotations?: Record<string, string> }[];
}

/** A recorded manifest as the registry reader returns it: its layers with their exact bytes. */
export function recordedManifest(file: string, tag: string | undefined): CosignManifestRead {
  const manifest = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ManifestFile;
  const digest = `sha256:${createHash('sha256')
    .update(readFileSync(join(dir, file)))
    .digest('hex')}`;
  return {
    ...(tag ? { tag } : {}),
    digest,
    found: true,
    layers: manifest.layers.map((layer) => ({
      mediaType: layer.mediaType,
      bytes: blob(layer.digest),
      annotations: layer.annotations ?? {},
    })),
  };
}

function blob(digest: string): Uint8Array {
  const bytes = readFileSync(join(dir, 'blobs', digest.replace(/^sha256:/, '')));
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) throw new Error(`blob ${digest} hashes to ${actual}`);
  return new Uint8Array(bytes);
}

export function notFound(tag: string): CosignManifestRead {
  return { tag, found: false, layers: [] };
}

/** What the registry holds for the image in `signet/app`: four signatures and an SLSA attestation. */
export function appArtifacts(): CosignArtifacts {
  return {
    repository: COSIGN_APP,
    signatures: recordedManifest('app.sig.manifest.json', SIG_TAG),
    attestations: recordedManifest('app.att.manifest.json', ATT_TAG),
    bundles: [],
  };
}

/**
 * An in-memory MetadataSource that also reads cosign evidence (what the webhook's registry reader
 * returns), by repository and image. A repository it holds nothing for answers "not found".
 */
export class CosignMemoryMetadata extends MemoryMetadata implements CosignSource {
  cosignFailure: Error | undefined;
  /** Each read, as `repository image@digest`. */
  readonly cosignCalls: string[] = [];
  private readonly held = new Map<string, CosignArtifacts>();

  constructor(private readonly gate?: Promise<void>) {
    super();
  }

  setCosign(image: string, artifacts: CosignArtifacts): this {
    this.held.set(`${artifacts.repository}|${image}`, artifacts);
    return this;
  }

  async cosignArtifacts(image: ImageReference, options: CosignReadOptions): Promise<CosignArtifacts> {
    const repository = options.repository ?? image.name;
    this.cosignCalls.push(`${repository} ${image.name}@${image.digest}`);
    await this.gate;
    if (this.cosignFailure) throw this.cosignFailure;
    const held = this.held.get(`${repository}|${image.name}@${image.digest}`);
    if (held) return held;
    const prefix = image.digest!.replace(':', '-');
    return {
      repository,
      signatures: notFound(`${prefix}.sig`),
      attestations: notFound(`${prefix}.att`),
      bundles: [],
    };
  }
}
