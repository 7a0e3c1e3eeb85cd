import { createPrivateKey, createPublicKey, type KeyObject, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { z } from 'zod';
import { decodeBase64 } from '../base64.js';
import { SigningError } from '../signing-error.js';
import { type CosignPublicKey, readCosignPublicKey } from './cosign-key.js';

/** A cosign private key, decrypted: the key that signs and its public half (type, hint). */
export interface CosignSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: CosignPublicKey;
}

// cosign 2.x writes `ENCRYPTED SIGSTORE PRIVATE KEY`; cosign 1.x wrote `ENCRYPTED COSIGN PRIVATE KEY`.
const PEM =
  /^-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----$/;

/*
 * The PEM body is JSON: a scrypt KDF (N, r, p, salt) that turns the password into a 32-byte key, and a
 * NaCl secretbox (XSalsa20-Poly1305, 24-byte nonce) whose plaintext is the PKCS#8 DER private key.
 * The bounds keep a hostile file from asking for gigabytes of scrypt memory; cosign uses N = 2^15 or 2^16.
 */
const MAX_SCRYPT_N = 2 ** 20;
const envelopeSchema = z.object({
  kdf: z.object({
    name: z.literal('scrypt'),
    params: z.object({
      N: z
        .number()
        .int()
        .min(2)
        .max(MAX_SCRYPT_N)
        .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
    }),
    salt: z.string(),
  }),
  cipher: z.object({ name: z.literal('nacl/secretbox'), nonce: z.string() }),
  ciphertext: z.string(),
});

const KEY_FIX =
  'give the private key file `cosign generate-key-pair` wrote (cosign.key, "BEGIN ENCRYPTED SIGSTORE PRIVATE KEY")';

/**
 * Decrypts a cosign private key file (`cosign generate-key-pair`, `cosign import-key-pair`) with its
 * password. Throws a SigningError: `COSIGN_PRIVATE_KEY_INVALID` for a file that is not one, or holds a
 * key cosign cannot sign with; `COSIGN_PASSWORD_WRONG` when the password does not open it.
 */
export function readCosignPrivateKey(pem: string, password: string): CosignSigningKey {
  const match = PEM.exec(typeof pem === 'string' ? pem.trim() : '');
  if (match === null) {
    throw keyInvalid('it is not one "BEGIN ENCRYPTED SIGSTORE PRIVATE KEY" PEM block');
  }
  const envelope = readEnvelope(match[2]!);
  const der = open(envelope, password);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw keyInvalid('the decrypted key is not a PKCS#8 private key');
  }
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
  const reading = readCosignPublicKey(Buffer.from(spki).toString('base64'));
  if (!reading.valid) throw keyInvalid(reading.message.replace(/^invalid cosign public key: /, ''));
  return { privateKey, publicKey: reading.key };
}

interface Envelope {
  salt: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  params: { N: number; r: number; p: number };
}

function readEnvelope(body: string): Envelope {
  const bytes = decodeBase64(body.replace(/\s/g, ''));
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
  } catch {
    throw keyInvalid('its body is not the JSON cosign writes');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw keyInvalid(
      `its envelope is not cosign's (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
    );
  }
  const { kdf, cipher, ciphertext } = parsed.data;
  const salt = decodeBase64(kdf.salt);
  const nonce = decodeBase64(cipher.nonce);
  const sealed = decodeBase64(ciphertext);
  if (salt === undefined || nonce?.length !== nacl.secretbox.nonceLength || sealed === undefined) {
    throw keyInvalid('its salt, nonce or ciphertext is not base64 of the right length');
  }
  return { salt, nonce, ciphertext: sealed, params: kdf.params };
}

function open(envelope: Envelope, password: string): Uint8Array {
  const { N, r, p } = envelope.params;
  const key = scryptSync(Buffer.from(password, 'utf8'), envelope.salt, nacl.secretbox.keyLength, {
    N,
    r,
    p,
    maxmem: 256 * N * r + 1024 * 1024,
  });
  const plain = nacl.secretbox.open(envelope.ciphertext, envelope.nonce, new Uint8Array(key));
  if (plain === null) {
    throw new SigningError(
      'COSIGN_PASSWORD_WRONG',
      'the password does not decrypt the cosign private key',
      'set COSIGN_PASSWORD to the password given to `cosign generate-key-pair` for this key (empty if none was given)',
    );
  }
  return plain;
}

function keyInvalid(reason: string): SigningError {
  return new SigningError('COSIGN_PRIVATE_KEY_INVALID', `invalid cosign private key: ${reason}`, KEY_FIX);
}
