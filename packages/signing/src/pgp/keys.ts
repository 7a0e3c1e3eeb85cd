import { errorMessage } from '@signet/errors';
import { type Key, type PublicKey, readKeys } from 'openpgp';
import { lookupConfig, MAX_KEY_BYTES } from './config.js';
import { onlySigningErrors, pgpError } from './errors.js';
import { normalizeFingerprint } from './fingerprint.js';
import { type PgpInput, readPgpInput } from './input.js';

/** A trusted OpenPGP public key, as Signet holds it. */
export interface PgpPublicKey {
  /** Primary key fingerprint, 40 upper-case hex digits. */
  fingerprint: string;
  /** The primary key's fingerprint, then those of the subkeys valid for signing now. */
  signingFingerprints: string[];
  userIds: string[];
  /** The public key, ASCII-armored (never secret material, even when read from a secret key). */
  armored: string;
  /** Public-key algorithm of the primary key, e.g. `rsaEncryptSign`, `eddsaLegacy`, `ecdsa`. */
  algorithm: string;
  /** RSA modulus or curve size of the primary key, when the algorithm has one. */
  bits: number | undefined;
  createdAt: Date;
  /** The parsed openpgp key the verifier works with. */
  key: PublicKey;
}

const KEY_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

/**
 * Reads every key in `input`: armour (one or several blocks), raw packets, or base64 of the armour
 * (Kritis's `asciiArmoredPgpPublicKey`/`publicKeyData` form). Secret keys are accepted and reduced to
 * their public part.
 */
export async function readPgpPublicKeys(input: string | Uint8Array): Promise<PgpPublicKey[]> {
  return onlySigningErrors(
    async () => {
      const keys = await parseKeys(readPgpInput(input, 'public key', MAX_KEY_BYTES));
      return Promise.all(keys.map((key) => describeKey(key.toPublic())));
    },
    (error) => malformed(error),
  );
}

async function parseKeys(input: PgpInput): Promise<Key[]> {
  if (input.kind === 'binary') return readOrFail({ binaryKeys: input.bytes });
  const blocks = input.text.match(KEY_BLOCK);
  if (!blocks) {
    throw pgpError(
      'PGP_MALFORMED',
      'the text holds no PGP PUBLIC KEY BLOCK',
      'Export the key with `gpg --armor --export <fingerprint>` and pass that text.',
    );
  }
  const perBlock = await Promise.all(blocks.map((block) => readOrFail({ armoredKeys: block })));
  return perBlock.flat();
}

async function readOrFail(source: { binaryKeys: Uint8Array } | { armoredKeys: string }): Promise<Key[]> {
  try {
    return 'binaryKeys' in source
      ? await readKeys({ binaryKeys: source.binaryKeys, config: lookupConfig })
      : await readKeys({ armoredKeys: source.armoredKeys, config: lookupConfig });
  } catch (error) {
    throw malformed(error);
  }
}

/** Turns an openpgp key into the shape the rest of Signet uses. */
async function describeKey(key: PublicKey): Promise<PgpPublicKey> {
  if (key.keyPacket.version !== 4) {
    throw pgpError(
      'PGP_KEY_INVALID',
      `OpenPGP key version ${key.keyPacket.version} is not supported (key ids are V4 fingerprints)`,
      'Use a V4 key, as made by GnuPG 2.2 or `signet keygen`.',
    );
  }
  const info = key.getAlgorithmInfo();
  return {
    fingerprint: fingerprintOf(key),
    signingFingerprints: [fingerprintOf(key), ...(await validSigningSubkeys(key))],
    userIds: key.getUserIDs(),
    armored: key.armor(lookupConfig),
    algorithm: info.algorithm,
    bits: info.bits,
    createdAt: key.getCreationTime(),
    key,
  };
}

async function validSigningSubkeys(key: PublicKey): Promise<string[]> {
  const now = new Date();
  const found: string[] = [];
  for (const subkey of key.subkeys) {
    try {
      const signing = await key.getSigningKey(subkey.getKeyID(), now, undefined, lookupConfig);
      if (signing === subkey) found.push(fingerprintOf(subkey));
    } catch {
      // Not a signing subkey, or not valid now: it simply is not listed.
    }
  }
  return found;
}

export function fingerprintOf(key: { getFingerprint(): string }): string {
  return key.getFingerprint().toUpperCase();
}

function malformed(error: unknown) {
  return pgpError(
    'PGP_MALFORMED',
    `cannot read OpenPGP key: ${errorMessage(error)}`,
    'Pass an OpenPGP public key exported with `gpg --export` (armored, binary, or base64 of the armor).',
    error,
  );
}

/** The key whose primary or signing-subkey fingerprint is `id` (any case, `openpgp4fpr:` allowed). */
export function findPgpKeyById(keys: PgpPublicKey[], id: string): PgpPublicKey | undefined {
  const wanted = normalizeFingerprint(id);
  return keys.find((key) => key.signingFingerprints.includes(wanted));
}
