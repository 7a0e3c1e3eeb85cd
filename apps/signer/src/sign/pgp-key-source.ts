import { readPgpPublicKeys, signPgpAttached } from '@signet/signing';
import { usageError } from '../common/cli-error.js';
import { readInputText } from '../common/files.js';
import type { KeySource } from './key-source.js';

/**
 * An armored private key file. The occurrence names the primary key's fingerprint, as Binary
 * Authorization does (the signature itself may come from a signing subkey).
 */
export async function pgpKeySource(file: string, passphrase: string | undefined): Promise<KeySource> {
  const armoredKey = await readInputText(file, '--pgp-key');
  if (!armoredKey.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----')) {
    throw usageError(
      'PGP_PRIVATE_KEY_EXPECTED',
      `--pgp-key ${file} holds no armored OpenPGP private key`,
      'export one with `gpg --armor --export-secret-keys FINGERPRINT > key.asc`, or make one with `signet keygen`',
    );
  }
  const [primary] = await readPgpPublicKeys(armoredKey);
  return {
    describe: `PGP key ${primary?.fingerprint ?? file}`,
    async sign(payload) {
      const made = await signPgpAttached(
        payload,
        armoredKey,
        passphrase === undefined ? {} : { passphrase },
      ).catch((error: unknown) => {
        throw passphraseHelp(error, file);
      });
      return {
        kind: 'pgp',
        armored: made.signature,
        keyFingerprint: primary?.fingerprint ?? made.keyFingerprint,
      };
    },
  };
}

/** Says how to pass the passphrase to this command, rather than the library's generic advice. */
function passphraseHelp(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'PGP_PASSPHRASE_REQUIRED') {
    return usageError(
      code,
      `--pgp-key ${file} is protected by a passphrase and none was given`,
      'put the passphrase in an environment variable and name it: --pgp-passphrase-env VAR',
    );
  }
  if (code === 'PGP_PASSPHRASE_WRONG') {
    return usageError(
      code,
      `the passphrase does not unlock --pgp-key ${file}`,
      'check the value of the variable named by --pgp-passphrase-env (no trailing newline)',
    );
  }
  return error;
}
