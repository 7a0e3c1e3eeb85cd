import { lstat } from 'node:fs/promises';
import { generateCosignKeyPair } from '@signet/signing/cosign';
import { usageError } from '../common/cli-error.js';
import type { CommandContext, CommandResult } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { writeNewFile } from '../common/files.js';
import { newCosignPassword } from '../sign/cosign-password.js';

const FIX = 'choose another --output-key-prefix, or remove the old key pair first';

/**
 * `signet keygen --cosign`: what `cosign generate-key-pair [--output-key-prefix P]` writes, P.key
 * (mode 600) and P.pub (mode 644), P `cosign` by default. cosign asks before overwriting; Signet never
 * overwrites, and checks both names before writing either.
 */
export async function makeCosignKeyPair(
  options: { outputKeyPrefix?: string },
  context: CommandContext,
): Promise<CommandResult> {
  const prefix = options.outputKeyPrefix ?? 'cosign';
  if (prefix === '') {
    throw usageError('KEY_PREFIX_EMPTY', '--output-key-prefix is empty', 'give a name, e.g. release');
  }
  const privateFile = `${prefix}.key`;
  const publicFile = `${prefix}.pub`;
  for (const file of [privateFile, publicFile]) await refuseExisting(file);
  const password = await newCosignPassword(context.env);
  const pair = generateCosignKeyPair(password);
  await writeNewFile(privateFile, pair.privateKeyPem, 0o600, FIX);
  await writeNewFile(publicFile, pair.publicKeyPem, 0o644, FIX);
  return {
    exitCode: ExitCode.ok,
    text: `cosign key pair (ecdsa-p256)\n  Private key written to ${privateFile}\n  Public key written to ${publicFile}`,
    json: { keyType: 'ecdsa-p256', privateKeyFile: privateFile, publicKeyFile: publicFile },
  };
}

async function refuseExisting(file: string): Promise<void> {
  const exists = await lstat(file).then(
    () => true,
    () => false,
  );
  if (exists) throw usageError('FILE_EXISTS', `${file} already exists`, FIX);
}
