import { writeFile } from 'node:fs/promises';
import { errorMessage } from '@signet/errors';
import { generatePgpKey } from '@signet/signing';
import { backendError, usageError } from '../common/cli-error.js';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';

interface KeygenOptions {
  name: string;
  email: string;
  type: 'ed25519' | 'rsa';
  passphraseEnv?: string;
  out: string;
}

/** Makes an OpenPGP signing key pair: OUT (private, mode 600) and OUT.pub (armored public key). */
export const run: CommandAction<KeygenOptions> = async (options, context) => {
  const passphrase = options.passphraseEnv ? context.env[options.passphraseEnv] : undefined;
  if (options.passphraseEnv && passphrase === undefined) {
    throw usageError(
      'PASSPHRASE_ENV_UNSET',
      `--passphrase-env names ${options.passphraseEnv}, but that environment variable is not set`,
      `export ${options.passphraseEnv}=<passphrase> first`,
    );
  }
  const key = await generatePgpKey({
    name: options.name,
    email: options.email,
    type: options.type,
    ...(passphrase === undefined ? {} : { passphrase }),
  });
  const publicFile = `${options.out}.pub`;
  await writeOut(options.out, key.privateKey, 0o600);
  await writeOut(publicFile, key.publicKey, 0o644);
  return {
    exitCode: ExitCode.ok,
    text: `PGP key ${key.fingerprint}\n  private key: ${options.out}\n  public key:  ${publicFile}`,
    json: { fingerprint: key.fingerprint, privateKeyFile: options.out, publicKeyFile: publicFile },
  };
};

async function writeOut(path: string, content: string, mode: number): Promise<void> {
  try {
    await writeFile(path, content, { mode, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw usageError(
        'FILE_EXISTS',
        `${path} already exists`,
        'choose another --out, or remove the old key first',
      );
    }
    const reason = errorMessage(error);
    throw backendError(
      'FILE_UNWRITABLE',
      `cannot write ${path}: ${reason}`,
      'check that the folder exists and is writable',
    );
  }
}
