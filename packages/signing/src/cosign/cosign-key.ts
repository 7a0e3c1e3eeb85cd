import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { errorMessage } from '@signet/errors';
import { decodeBase64 } from '../base64.js';
import { type CosignFailure, cosignFailure } from './cosign-result.js';

/** The key types cosign signs with: ECDSA P-256 and P-384, RSA (2048 bits or more) and Ed25519. */
type CosignKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa' | 'ed25519';

export interface CosignPublicKey {
  readonly type: CosignKeyType;
  readonly key: KeyObject;
  /** base64 of SHA-256 of the DER SubjectPublicKeyInfo: a Sigstore bundle's `publicKey.hint`. */
  readonly hint: string;
}

export type CosignKeyReading = { readonly valid: true; readonly key: CosignPublicKey } | CosignFailure;

const PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/;
const CURVES: Readonly<Record<string, CosignKeyType>> = { prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384' };
const MIN_RSA_BITS = 2048;
const FIX =
  'set publicKeyData to the base64 of the PEM public key cosign wrote (cosign.pub): `base64 -w0 cosign.pub`';

/**
 * Reads an authority's `publicKeyData`: base64 of exactly one `PUBLIC KEY` PEM block, as
 * `cosign generate-key-pair` writes `cosign.pub`.
 */
export function readCosignPublicKey(publicKeyData: string): CosignKeyReading {
  if (typeof publicKeyData !== 'string' || publicKeyData.trim() === '') {
    return keyInvalid('publicKeyData is empty');
  }
  if (publicKeyData.trimStart().startsWith('-----BEGIN')) {
    return keyInvalid('publicKeyData is a PEM block, not its base64');
  }
  const bytes = decodeBase64(publicKeyData);
  if (bytes === undefined) return keyInvalid('publicKeyData is not base64');
  const pem = Buffer.from(bytes).toString('utf8').trim();
  if (!PEM.test(pem)) {
    return keyInvalid('publicKeyData does not decode to exactly one "BEGIN PUBLIC KEY" PEM block');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    return keyInvalid(`the PEM public key cannot be read (${errorMessage(cause)})`);
  }
  const type = keyType(key);
  if (typeof type !== 'string') return type;
  const spki = key.export({ type: 'spki', format: 'der' });
  return { valid: true, key: { type, key, hint: createHash('sha256').update(spki).digest('base64') } };
}

function keyType(key: KeyObject): CosignKeyType | CosignFailure {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'ed25519';
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      return CURVES[curve] ?? keyInvalid(`the EC key is on curve ${curve}; cosign keys are P-256 or P-384`);
    }
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits >= MIN_RSA_BITS) return 'rsa';
      return keyInvalid(`the RSA key has ${bits} bits, fewer than ${MIN_RSA_BITS}`);
    }
    default:
      return keyInvalid(
        `a ${key.asymmetricKeyType ?? 'unknown'} key cannot verify cosign signatures (ECDSA P-256/P-384, RSA, Ed25519)`,
      );
  }
}

function keyInvalid(reason: string): CosignFailure {
  return cosignFailure('COSIGN_KEY_INVALID', `invalid cosign public key: ${reason}`, FIX);
}
