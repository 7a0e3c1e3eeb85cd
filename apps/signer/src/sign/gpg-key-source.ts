import { gpgSignAttached } from '../common/gpg.js';
import type { KeySource } from './key-source.js';

/** The guide's `gpg -u UID -a --sign`, through the user's own GnuPG (keyring, agent, smartcard). */
export function gpgKeySource(user: string, env: NodeJS.ProcessEnv): KeySource {
  return {
    describe: `GnuPG key "${user}"`,
    async sign(payload) {
      const made = await gpgSignAttached(payload, user, env);
      return { kind: 'pgp', armored: made.signature, keyFingerprint: made.keyFingerprint };
    },
  };
}
