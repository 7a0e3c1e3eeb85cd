import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';

/** A cosign key pair as `cosign generate-key-pair` writes it: cosign.key and cosign.pub. */
export interface CosignKeyPair {
  /** `ENCRYPTED SIGSTORE PRIVATE KEY` PEM: the PKCS#8 key sealed with the password. */
  readonly privateKeyPem: string;
  /** `PUBLIC KEY` PEM (SubjectPublicKeyInfo). */
  readonly publicKeyPem: string;
}

/** The random parts of the envelope; given only by tests that compare bytes with a recorded key. */
export interface CosignSealRandom {
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
}

// What cosign 2.5 writes (go-securesystemslib's `encrypted`, its standard parameters): scrypt
// N = 2^16, r = 8, p = 1 over a 32-byte salt, then NaCl secretbox with a 24-byte nonce.
const SCRYPT = { N: 65536, r: 8, p: 1 } as const;
const SALT_BYTES = 32;

/** Makes an ECDSA P-256 key pair (cosign's default and only generated type), sealed with `password`. */
export function generateCosignKeyPair(password: string): CosignKeyPair {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: sealCosignPrivateKey(privateKey, password),
    publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Seals a private key as cosign does: the PEM body is the JSON envelope (`kdf`, `cipher`,
 * `ciphertext`, in that order, byte strings in padded base64 as Go's encoding/json writes them)
 * around the secretbox of the PKCS#8 DER key. `readCosignPrivateKey` opens it.
 */
export function sealCosignPrivateKey(
  privateKey: KeyObject,
  password: string,
  random: CosignSealRandom = {
    salt: randomBytes(SALT_BYTES),
    nonce: randomBytes(nacl.secretbox.nonceLength),
  },
): string {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const key = scryptSync(Buffer.from(password, 'utf8'), random.salt, nacl.secretbox.keyLength, {
    ...SCRYPT,
    maxmem: 256 * SCRYPT.N * SCRYPT.r,
  });
  const sealed = nacl.secretbox(new Uint8Array(der), random.nonce, new Uint8Array(key));
  const envelope = {
    kdf: { name: 'scrypt', params: SCRYPT, salt: base64(random.salt) },
    cipher: { name: 'nacl/secretbox', nonce: base64(random.nonce) },
    ciphertext: base64(sealed),
  };
  return pem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(JSON.stringify(envelope), 'utf8'));
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** PEM as Go's encoding/pem writes it: 64-character lines, a newline after the END line. */
function pem(type: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
