import { usageError } from '../common/cli-error.js';
import type { CommandContext } from '../common/command-result.js';

import type { KeySource } from './key-source.js';

/** The flags of `signet sign` that choose the key. */
export interface KeySourceOptions {
  pgpKey?: string;
  pgpPassphraseEnv?: string;
  gpgUser?: string;
  pkixKey?: string;
  pkixAlgorithm?: string;
  kmsKey?: string;
  kmsEndpoint?: string;
}

/** Picks the one key source the flags name, reading its files now so that mistakes surface early. */
export async function chooseKeySource(
  options: KeySourceOptions,
  context: CommandContext,
): Promise<KeySource> {
  const given = [
    options.pgpKey && '--pgp-key',
    options.gpgUser && '--gpg-user',
    options.pkixKey && '--pkix-key',
    options.kmsKey && '--kms-key',
  ];
  const chosen = given.filter(Boolean);
  if (chosen.length !== 1) {
    throw usageError(
      chosen.length === 0 ? 'KEY_SOURCE_MISSING' : 'KEY_SOURCE_CONFLICT',
      chosen.length === 0
        ? 'no signing key was given'
        : `several signing keys were given (${chosen.join(', ')})`,
      'give exactly one of --pgp-key FILE, --gpg-user UID, --pkix-key FILE --pkix-algorithm ALG, or --kms-key KEY_VERSION (or --cosign-key FILE, without --note, for a cosign signature in the registry)',
    );
  }
  if (options.pgpPassphraseEnv && !options.pgpKey) {
    throw usageError(
      'PASSPHRASE_WITHOUT_KEY',
      '--pgp-passphrase-env applies to --pgp-key only',
      'drop --pgp-passphrase-env (gpg asks its agent for --gpg-user keys; PKIX keys have no passphrase here)',
    );
  }
  if (options.pkixAlgorithm && !options.pkixKey) {
    throw usageError(
      'ALGORITHM_WITHOUT_KEY',
      '--pkix-algorithm applies to --pkix-key only',
      options.kmsKey
        ? "drop --pkix-algorithm: Cloud KMS reports the key version's algorithm"
        : 'drop --pkix-algorithm',
    );
  }
  if (options.pgpKey) {
    const { pgpKeySource } = await import('./pgp-key-source.js');
    return pgpKeySource(options.pgpKey, passphraseFrom(options.pgpPassphraseEnv, context.env));
  }
  if (options.gpgUser) {
    const { gpgKeySource } = await import('./gpg-key-source.js');
    return gpgKeySource(options.gpgUser, context.env);
  }
  if (options.kmsKey) {
    const { kmsKeySource } = await import('./kms/kms-key-source.js');
    return kmsKeySource(options.kmsKey, options.kmsEndpoint ? { rootUrl: options.kmsEndpoint } : {});
  }
  const { pkixKeySource } = await import('./pkix-key-source.js');
  return pkixKeySource(options.pkixKey ?? '', options.pkixAlgorithm);
}

function passphraseFrom(variable: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (variable === undefined) return undefined;
  const value = env[variable];
  if (value === undefined) {
    throw usageError(
      'PASSPHRASE_ENV_UNSET',
      `--pgp-passphrase-env names ${variable}, but that environment variable is not set`,
      `export ${variable}=<passphrase> (e.g. from your CI secret store) before running signet`,
    );
  }
  return value;
}
