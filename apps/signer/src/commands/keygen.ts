import { generatePgpKey } from '@signet/signing';
import { usageError } from '../common/cli-error.js';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { writeNewFile } from '../common/files.js';

interface KeygenOptions {
  name?: string;
  email?: string;
  type?: 'ed25519' | 'rsa';
  passphraseEnv?: string;
  out?: string;
  cosign?: boolean;
  outputKeyPrefix?: string;
}

/** Makes an OpenPGP signing key pair: OUT (private, mode 600) and OUT.pub; with --cosign, a cosign pair. */
export const run: CommandAction<KeygenOptions> = async (options, context) => {
  if (options.cosign === true) {
    const { makeCosignKeyPair } = await import('./keygen-cosign.js');
    return makeCosignKeyPair(pgpFlagsRefused(options), context);
  }
  if (options.outputKeyPrefix !== undefined) {
    throw usageError(
      'COSIGN_ONLY_FLAG',
      '--output-key-prefix applies to --cosign only',
      'add --cosign to make a cosign key pair, or give --out FILE for an OpenPGP key',
    );
  }
  const { name, email, out } = options;
  if (name === undefined || email === undefined || out === undefined) {
    const missing = [name ?? '--name', email ?? '--email', out ?? '--out'].filter((flag) =>
      flag.startsWith('--'),
    );
    throw usageError(
      'KEYGEN_FLAGS_MISSING',
      `an OpenPGP key needs ${missing.join(', ')}`,
      'give --name, --email and --out, or --cosign for a cosign key pair',
    );
  }
  const passphrase = options.passphraseEnv ? context.env[options.passphraseEnv] : undefined;
  if (options.passphraseEnv && passphrase === undefined) {
    throw usageError(
      'PASSPHRASE_ENV_UNSET',
      `--passphrase-env names ${options.passphraseEnv}, but that environment variable is not set`,
      `export ${options.passphraseEnv}=<passphrase> first`,
    );
  }
  const key = await generatePgpKey({
    name,
    email,
    type: options.type ?? 'ed25519',
    ...(passphrase === undefined ? {} : { passphrase }),
  });
  const publicFile = `${out}.pub`;
  const fix = 'choose another --out, or remove the old key first';
  await writeNewFile(out, key.privateKey, 0o600, fix);
  await writeNewFile(publicFile, key.publicKey, 0o644, fix);
  return {
    exitCode: ExitCode.ok,
    text: `PGP key ${key.fingerprint}\n  private key: ${out}\n  public key:  ${publicFile}`,
    json: { fingerprint: key.fingerprint, privateKeyFile: out, publicKeyFile: publicFile },
  };
};

/** The OpenPGP key's flags have no meaning for a cosign key: refused rather than ignored. */
function pgpFlagsRefused(options: KeygenOptions): { outputKeyPrefix?: string } {
  const given = (
    [
      ['--name', options.name],
      ['--email', options.email],
      ['--out', options.out],
      ['--type', options.type],
      ['--passphrase-env', options.passphraseEnv],
    ] as const
  )
    .filter(([, value]) => value !== undefined)
    .map(([flag]) => flag);
  if (given.length > 0) {
    throw usageError(
      'PGP_ONLY_FLAG',
      `${given.join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to an OpenPGP key, not to --cosign`,
      'drop them: --cosign takes --output-key-prefix PREFIX and the password from COSIGN_PASSWORD',
    );
  }
  return options.outputKeyPrefix === undefined ? {} : { outputKeyPrefix: options.outputKeyPrefix };
}
