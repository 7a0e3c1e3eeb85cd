import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type CosignPublicKey, readCosignPublicKey } from '../cosign/cosign-key.js';

/** A fresh key that signs as cosign does (ECDSA P-256 over SHA-256, DER), for payloads cosign would not write. */
export interface TestCosignSigner {
  readonly publicKey: CosignPublicKey;
  sign(data: Uint8Array): string;
}

export function testCosignSigner(): TestCosignSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const reading = readCosignPublicKey(pemBase64(publicKey));
  if (!reading.valid) throw new Error(reading.message);
  return {
    publicKey: reading.key,
    sign: (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }).toString('base64'),
  };
}

export function pemBase64(publicKey: KeyObject): string {
  return Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })).toString('base64');
}
