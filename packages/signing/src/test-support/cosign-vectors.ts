import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CosignPublicKey, readCosignPublicKey } from '../cosign/cosign-key.js';

// What cosign 2.5.0 wrote to a registry (testdata/cosign/README.md says how).
const dir = join(process.env.SIGNET_TESTDATA!, 'cosign');

export const COSIGN_IMAGE = {
  name: '127.0.0.1:5123/signet/app',
  digest: 'sha256:3601fa8a5a80dba862b9c4a0fb4ae8d393bf4f30d720aa94a7f395facb22e55a',
} as const;

export const COSIGN_KEY_NAMES = ['ecdsa-p256', 'ed25519', 'rsa-3072', 'ecdsa-p384'] as const;
export type CosignKeyName = (typeof COSIGN_KEY_NAMES)[number];

interface Layer {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface CosignManifest {
  mediaType: string;
  config: Layer;
  layers: Layer[];
  annotations?: Record<string, string>;
  subject?: { digest: string };
  artifactType?: string;
}

export function cosignFile(name: string): Buffer {
  return readFileSync(join(dir, name));
}

export function cosignManifest(name: string): CosignManifest {
  return JSON.parse(cosignFile(name).toString('utf8')) as CosignManifest;
}

/** A blob's exact bytes; throws when they do not hash to the digest that names them. */
export function cosignBlob(digest: string): Uint8Array {
  const bytes = cosignFile(join('blobs', digest.replace(/^sha256:/, '')));
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) throw new Error(`blob ${digest} hashes to ${actual}`);
  return new Uint8Array(bytes);
}

/** An authority's publicKeyData for a recorded key: base64 of its PEM file. */
export function cosignKeyData(name: CosignKeyName): string {
  return cosignFile(join('keys', `${name}.pub`)).toString('base64');
}

export function cosignKey(name: CosignKeyName): CosignPublicKey {
  const reading = readCosignPublicKey(cosignKeyData(name));
  if (!reading.valid) throw new Error(`${name}: ${reading.message}`);
  return reading.key;
}
