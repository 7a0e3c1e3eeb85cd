import { constants, verify } from 'node:crypto';
import type { CosignPublicKey } from './cosign-key.js';

/**
 * True when `signature` is the key's signature of `data` as cosign 2.5 makes and checks them: SHA-256
 * for every ECDSA curve (DER) and for RSA (PKCS#1 v1.5), pure Ed25519. Malformed signatures are false.
 */
export function verifiesWith(key: CosignPublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.type === 'ed25519') return verify(null, data, key.key, signature);
    if (key.type === 'rsa') {
      return verify('sha256', data, { key: key.key, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    return verify('sha256', data, { key: key.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
