import { errorMessage } from '@signet/errors';
import { generateKey } from 'openpgp';
import { strictConfig } from './config.js';
import { onlySigningErrors, pgpError } from './errors.js';
import { fingerprintOf } from './keys.js';

export interface GeneratePgpKeyOptions {
  name: string;
  email: string;
  /** Ed25519 (default) or RSA-3072. Both are V4 keys GnuPG 2.2 reads. */
  type?: 'ed25519' | 'rsa';
  /** Protects the armored private key when given. */
  passphrase?: string;
}

/** A fresh signing-only key: a certify+sign primary key, no subkey, no expiry. */
export async function generatePgpKey(
  options: GeneratePgpKeyOptions,
): Promise<{ privateKey: string; publicKey: string; fingerprint: string }> {
  const name = options.name?.trim() ?? '';
  const email = options.email?.trim() ?? '';
  if (!name || !email || /[<>]/.test(name) || !/^[^\s@<>]+@[^\s@<>]+$/.test(email)) {
    throw pgpError(
      'PGP_INVALID_USER_ID',
      `"${name} <${email}>" is not a usable user id`,
      'Give a non-empty name (without < or >) and an e-mail address like ci@example.com.',
    );
  }
  return onlySigningErrors(
    async () => {
      const { privateKey, publicKey } = await generateKey({
        type: options.type === 'rsa' ? 'rsa' : 'ecc',
        curve: 'ed25519Legacy',
        rsaBits: 3072,
        userIDs: [{ name, email }],
        subkeys: [],
        format: 'object',
        config: strictConfig,
        ...(options.passphrase ? { passphrase: options.passphrase } : {}),
      });
      return {
        privateKey: privateKey.armor(strictConfig),
        publicKey: publicKey.armor(strictConfig),
        fingerprint: fingerprintOf(publicKey),
      };
    },
    (error) =>
      pgpError(
        'PGP_KEY_INVALID',
        `cannot generate a key: ${errorMessage(error)}`,
        'Report this error.',
        error,
      ),
  );
}
