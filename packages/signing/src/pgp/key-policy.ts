import { errorMessage } from '@signet/errors';
import type { Key, SignaturePacket, Subkey } from 'openpgp';
import { lookupConfig, MIN_RSA_BITS } from './config.js';
import { pgpError } from './errors.js';
import { fingerprintOf } from './keys.js';

type KeyPart = Key | Subkey;

const RSA = new Set(['rsaEncryptSign', 'rsaSign', 'rsaEncrypt']);
const REFUSED = new Set(['dsa', 'elgamal']);

/** RSA under 2048 bits and DSA/ElGamal are refused outright, for signing and for verifying. */
export function assertStrongKey(part: KeyPart): void {
  const { algorithm, bits } = part.getAlgorithmInfo();
  if (RSA.has(algorithm) && (bits ?? 0) < MIN_RSA_BITS) {
    throw pgpError(
      'PGP_WEAK_KEY',
      `key ${fingerprintOf(part)} is RSA-${bits ?? 0}: RSA keys under ${MIN_RSA_BITS} bits are refused`,
      'Generate a new key (RSA-3072 or Ed25519) and register its fingerprint instead.',
    );
  }
  if (REFUSED.has(algorithm)) {
    throw pgpError(
      'PGP_WEAK_KEY',
      `key ${fingerprintOf(part)} uses ${algorithm}, which is refused`,
      'Generate a new key (RSA-3072 or Ed25519) and register its fingerprint instead.',
    );
  }
}

/**
 * Throws unless `signing` (the primary key or one of its subkeys) is a valid signing key of `key` at
 * `date`. openpgp decides validity; we only name the reason (revoked, expired, other).
 */
export async function assertSigningKeyValid(key: Key, signing: KeyPart, date: Date, when: string) {
  try {
    const found = await key.getSigningKey(signing.getKeyID(), date, undefined, lookupConfig);
    if (fingerprintOf(found) === fingerprintOf(signing)) return;
    throw new Error('the key that made the signature is not a signing key');
  } catch (error) {
    throw await explainInvalidKey(key, signing, date, when, error);
  }
}

/** The most specific reason `signing` is not usable at `date`. */
export async function explainInvalidKey(
  key: Key,
  signing: KeyPart | null,
  date: Date,
  when: string,
  cause: unknown,
) {
  const primary = fingerprintOf(key);
  const keyRevoked = await revocation(key, date);
  if (keyRevoked) {
    return revoked(`key ${primary} is revoked (${keyRevoked === 'by then' ? when : 'since'})`, cause);
  }
  const primaryExpiry = await key.getExpirationTime(undefined, lookupConfig);
  if (primaryExpiry instanceof Date && primaryExpiry <= date) {
    return expired(`key ${primary} expired on ${primaryExpiry.toISOString()} (${when})`, cause);
  }
  if (signing && signing !== key && 'mainKey' in signing) {
    const sub = fingerprintOf(signing);
    const subRevoked = await revocation(signing, date);
    if (subRevoked) {
      return revoked(
        `subkey ${sub} of ${primary} is revoked (${subRevoked === 'by then' ? when : 'since'})`,
        cause,
      );
    }
    const subExpiry = await signing.getExpirationTime(date, lookupConfig);
    if (subExpiry instanceof Date && subExpiry <= date) {
      return expired(`subkey ${sub} of ${primary} expired on ${subExpiry.toISOString()} (${when})`, cause);
    }
  }
  if (signing && signing.getCreationTime() > date) {
    return pgpError(
      'PGP_KEY_INVALID',
      `key ${fingerprintOf(signing)} was created after ${date.toISOString()} (${when})`,
      'The signature claims a time before its key existed: sign again with the current key.',
      cause,
    );
  }
  return pgpError(
    'PGP_KEY_INVALID',
    `key ${primary} has no valid signing key (${when}): ${errorMessage(cause)}`,
    'Check the key with `gpg --list-keys`; it needs a valid self-signature and a key with the sign capability.',
    cause,
  );
}

/**
 * Revoked at `date`, or at any later time: openpgp caches a revocation found once on the binding
 * signature and from then on treats even a soft ("retired") revocation as timeless, so the reason
 * openpgp refused may be a revocation dated after `date`.
 */
async function revocation(part: KeyPart, date: Date): Promise<'by then' | 'later' | null> {
  // The typings want a signature and a key; null for both asks "is any revocation valid".
  const signature = null as unknown as SignaturePacket;
  const keyPacket = null as unknown as Key['keyPacket'];
  if (await part.isRevoked(signature, keyPacket, date, lookupConfig)) return 'by then';
  if (await part.isRevoked(signature, keyPacket, END_OF_TIME, lookupConfig)) return 'later';
  return null;
}

const END_OF_TIME = new Date(8.64e15);

function revoked(message: string, cause: unknown) {
  return pgpError(
    'PGP_KEY_REVOKED',
    message,
    'A revoked key is never trusted again: sign with a new key and register it with the attestor.',
    cause,
  );
}

function expired(message: string, cause: unknown) {
  return pgpError(
    'PGP_KEY_EXPIRED',
    message,
    'Extend the key expiry (`gpg --quick-set-expire`) and publish the updated public key, or use a new key.',
    cause,
  );
}
