import { errorMessage } from '@signet/errors';
import { decryptKey, type PrivateKey, readPrivateKey } from 'openpgp';
import { lookupConfig, MAX_KEY_BYTES } from './config.js';
import { pgpError } from './errors.js';

/** Reads an armored secret key and unlocks it with `passphrase` when it is protected. */
export async function unlockPrivateKey(armored: string, passphrase: string | undefined): Promise<PrivateKey> {
  const key = await parsePrivateKey(armored);
  if (key.keyPacket.version !== 4) {
    throw pgpError(
      'PGP_KEY_INVALID',
      `OpenPGP key version ${key.keyPacket.version} is not supported`,
      'Use a V4 key, as made by GnuPG 2.2 or `signet keygen`.',
    );
  }
  if (key.isDecrypted()) return key;
  if (!passphrase) {
    throw pgpError(
      'PGP_PASSPHRASE_REQUIRED',
      'the private key is protected by a passphrase and none was given',
      'Provide the key passphrase.',
    );
  }
  try {
    return await decryptKey({ privateKey: key, passphrase, config: lookupConfig });
  } catch (error) {
    throw pgpError(
      'PGP_PASSPHRASE_WRONG',
      'the passphrase does not unlock the private key',
      'Check the passphrase given for this key.',
      error,
    );
  }
}

async function parsePrivateKey(armored: string): Promise<PrivateKey> {
  if (typeof armored !== 'string' || armored.length > MAX_KEY_BYTES) {
    throw pgpError(
      'PGP_MALFORMED',
      'the private key is not armored text',
      'Pass `gpg --armor --export-secret-keys`.',
    );
  }
  if (armored.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    throw pgpError(
      'PGP_KEY_INVALID',
      'a public key was given where the private key is needed',
      'Pass the secret key (`gpg --armor --export-secret-keys <fingerprint>`).',
    );
  }
  try {
    return await readPrivateKey({ armoredKey: armored.trim(), config: lookupConfig });
  } catch (error) {
    throw pgpError(
      'PGP_MALFORMED',
      `cannot read the private key: ${errorMessage(error)}`,
      'Pass an armored OpenPGP secret key (`gpg --armor --export-secret-keys <fingerprint>`).',
      error,
    );
  }
}
