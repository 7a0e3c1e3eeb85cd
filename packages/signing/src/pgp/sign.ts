import { errorMessage } from '@signet/errors';
import { createMessage, type PrivateKey, type Subkey, sign } from 'openpgp';
import { lookupConfig, strictConfig } from './config.js';
import { onlySigningErrors, pgpError } from './errors.js';
import { assertStrongKey, explainInvalidKey } from './key-policy.js';
import { fingerprintOf } from './keys.js';
import { unlockPrivateKey } from './private-key.js';

export interface PgpSignOptions {
  passphrase?: string;
  /** Signature creation time (default: now). */
  date?: Date;
}

/**
 * Signs `payload` as an attached, ASCII-armored OpenPGP message, like `gpg --armor --sign`: the form
 * of a v1beta1 `pgpSignedAttestation.signature`.
 */
export async function signPgpAttached(
  payload: Uint8Array,
  armoredPrivateKey: string,
  options: PgpSignOptions = {},
): Promise<{ signature: string; keyFingerprint: string }> {
  return onlySigningErrors(
    async () => {
      if (!(payload instanceof Uint8Array)) {
        throw pgpError('PGP_MALFORMED', 'the payload is not bytes', 'Pass the payload as a Uint8Array.');
      }
      const date = options.date ?? new Date();
      const key = await unlockPrivateKey(armoredPrivateKey, options.passphrase);
      const signing = await signingKeyAt(key, date);
      const message = await createMessage({ binary: payload, date });
      const signature = await sign({
        message,
        signingKeys: key,
        signingKeyIDs: signing.getKeyID(),
        date,
        format: 'armored',
        config: strictConfig,
      });
      return { signature, keyFingerprint: fingerprintOf(signing) };
    },
    (error) =>
      pgpError('PGP_KEY_INVALID', `cannot sign: ${errorMessage(error)}`, 'Check the private key.', error),
  );
}

async function signingKeyAt(key: PrivateKey, date: Date): Promise<PrivateKey | Subkey> {
  assertStrongKey(key);
  let signing: PrivateKey | Subkey;
  try {
    signing = await key.getSigningKey(undefined, date, undefined, lookupConfig);
  } catch (error) {
    throw await explainInvalidKey(key, null, date, 'at signing time', error);
  }
  assertStrongKey(signing);
  return signing;
}
