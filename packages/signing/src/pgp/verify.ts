import { errorMessage } from '@signet/errors';
import { enums, type Key, type SignaturePacket, type Subkey } from 'openpgp';
import { SigningError } from '../signing-error.js';
import { MAX_CLOCK_SKEW_MS, strictConfig, WEAK_HASHES } from './config.js';
import { onlySigningErrors, pgpError } from './errors.js';
import { assertSigningKeyValid, assertStrongKey } from './key-policy.js';
import { fingerprintOf, type PgpPublicKey } from './keys.js';
import { readAttached, readDetached, type SignedContent } from './signed-content.js';

export interface PgpVerification {
  /** Fingerprint of the key or subkey that made the signature. */
  keyFingerprint: string;
  primaryFingerprint: string;
  signedAt: Date;
}

export interface PgpVerifyOptions {
  /** The moment keys and the signature must be valid at, besides the signature's own time. */
  now?: Date;
}

/** Verifies an attached signature (`gpg --sign`) and returns the signed payload bytes. */
export async function verifyPgpAttached(
  signature: string | Uint8Array,
  trustedKeys: PgpPublicKey[],
  options: PgpVerifyOptions = {},
): Promise<PgpVerification & { payload: Uint8Array }> {
  return onlySigningErrors(async () => {
    const content = await readAttached(signature);
    const result = await verifyContent(content, trustedKeys, options.now ?? new Date());
    return { payload: content.payload, ...result };
  }, unexpected);
}

/** Verifies a detached signature (`gpg --detach-sign`) over `data`. */
export async function verifyPgpDetached(
  data: Uint8Array,
  signature: string | Uint8Array,
  trustedKeys: PgpPublicKey[],
  options: PgpVerifyOptions = {},
): Promise<PgpVerification> {
  return onlySigningErrors(async () => {
    const content = await readDetached(data, signature);
    return verifyContent(content, trustedKeys, options.now ?? new Date());
  }, unexpected);
}

/** Any one signature by a trusted key that passes every check is enough. */
async function verifyContent(content: SignedContent, trustedKeys: PgpPublicKey[], now: Date) {
  if (!Array.isArray(trustedKeys)) {
    throw pgpError('PGP_UNKNOWN_KEY', 'no trusted keys were given', 'Configure the public keys to trust.');
  }
  const failures: SigningError[] = [];
  for (const signature of content.signatures) {
    try {
      return await verifyOne(signature, content, trustedKeys, now);
    } catch (error) {
      failures.push(error instanceof SigningError ? error : unexpected(error));
    }
  }
  // A signature by a trusted key that failed says more than one by a stranger.
  throw failures.find((failure) => failure.code !== 'PGP_UNKNOWN_KEY') ?? failures[0] ?? unexpected(null);
}

async function verifyOne(
  signature: SignaturePacket,
  content: SignedContent,
  trustedKeys: PgpPublicKey[],
  now: Date,
): Promise<PgpVerification> {
  const { key, signing } = findSigner(signature, trustedKeys);
  assertStrongKey(key);
  assertStrongKey(signing);
  assertStrongHash(signature);
  const signedAt = signature.created;
  if (!(signedAt instanceof Date) || Number.isNaN(signedAt.getTime())) {
    throw pgpError('PGP_MALFORMED', 'the signature has no creation time', 'Sign the payload again with gpg.');
  }
  await assertCryptographicallyValid(signature, signing, content);
  assertSignatureTimely(signature, signedAt, now);
  await assertSigningKeyValid(key, signing, signedAt, 'when the signature was made');
  await assertSigningKeyValid(key, signing, now > signedAt ? now : signedAt, 'now');
  return { keyFingerprint: fingerprintOf(signing), primaryFingerprint: fingerprintOf(key), signedAt };
}

/** Matches the issuer fingerprint when the signature carries one, else the 64-bit key id. */
function findSigner(
  signature: SignaturePacket,
  trustedKeys: PgpPublicKey[],
): { key: Key; signing: Key | Subkey } {
  const issuerFingerprint = signature.issuerFingerprint
    ? Buffer.from(signature.issuerFingerprint).toString('hex').toUpperCase()
    : null;
  for (const trusted of trustedKeys) {
    const key = trusted?.key;
    if (!key || typeof key.getKeys !== 'function') continue;
    for (const part of key.getKeys(signature.issuerKeyID)) {
      if (issuerFingerprint === null || fingerprintOf(part) === issuerFingerprint)
        return { key, signing: part };
    }
  }
  const issuer = issuerFingerprint ?? signature.issuerKeyID.toHex().toUpperCase();
  throw pgpError(
    'PGP_UNKNOWN_KEY',
    `the signature was made by key ${issuer}, which is not among the trusted keys`,
    'Register the signer’s public key with the attestor, or sign with a key it already trusts.',
  );
}

function assertStrongHash(signature: SignaturePacket): void {
  const hash = signature.hashAlgorithm;
  if (hash === null || WEAK_HASHES.has(hash)) {
    const name = hash === null ? 'unknown' : enums.read(enums.hash, hash).toUpperCase();
    throw pgpError(
      'PGP_WEAK_HASH',
      `the signature uses the ${name} digest, which is refused`,
      'Sign again with a SHA-2 digest (`gpg --digest-algo SHA256`).',
    );
  }
}

async function assertCryptographicallyValid(
  signature: SignaturePacket,
  signing: Key | Subkey,
  content: SignedContent,
): Promise<void> {
  try {
    // The signature's own time is passed so openpgp only checks the mathematics and the packet;
    // time validity is judged below, at the signature time and at `now`.
    await signature.verify(
      signing.keyPacket,
      signature.signatureType ?? enums.signature.binary,
      content.literal,
      signature.created ?? undefined,
      content.detached,
      strictConfig,
    );
  } catch (error) {
    throw pgpError(
      'PGP_BAD_SIGNATURE',
      `the signature does not verify with key ${fingerprintOf(signing)}: ${errorMessage(error)}`,
      'The data or the signature was altered, or another key signed it: do not trust this payload.',
      error,
    );
  }
}

function assertSignatureTimely(signature: SignaturePacket, signedAt: Date, now: Date): void {
  if (signedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw pgpError(
      'PGP_SIGNATURE_NOT_YET_VALID',
      `the signature was made at ${signedAt.toISOString()}, in the future`,
      'Check the clocks of the signer and of this machine.',
    );
  }
  const expiry = signature.getExpirationTime();
  if (expiry !== Number.POSITIVE_INFINITY && expiry <= now) {
    throw pgpError(
      'PGP_SIGNATURE_EXPIRED',
      `the signature expired on ${(expiry as Date).toISOString()}`,
      'Sign the payload again (without an expiry, or with a later one).',
    );
  }
}

function unexpected(error: unknown): SigningError {
  return pgpError(
    'PGP_MALFORMED',
    `cannot verify the OpenPGP data: ${errorMessage(error)}`,
    'Pass an OpenPGP signature as produced by gpg (armored, binary, or base64 of either).',
    error,
  );
}
