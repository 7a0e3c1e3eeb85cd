import { constants, createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signDigest } from './sign-digest.js';

/** The Cloud KMS stub signs digests by hand: node:crypto's own verifier must accept every signature. */
describe('signDigest (the Cloud KMS stub)', () => {
  const message = Buffer.from('the payload');
  const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it.each([
    ['EC_SIGN_P256_SHA256', 'prime256v1', 'sha256'],
    ['EC_SIGN_P384_SHA384', 'secp384r1', 'sha384'],
    ['EC_SIGN_P521_SHA512', 'secp521r1', 'sha512'],
    ['EC_SIGN_SECP256K1_SHA256', 'secp256k1', 'sha256'],
  ])('%s: DER ECDSA over the digest', (algorithm, namedCurve, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    for (let i = 0; i < 5; i += 1) {
      const signature = signDigest(privateKey, algorithm, createHash(hash).update(message).digest());
      expect(verify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(verify(hash, Buffer.from('another'), publicKey, signature)).toBe(false);
    }
  });

  it.each(['sha256', 'sha512'])('RSA PKCS#1 v1.5 and PSS (salt = digest length) with %s', (hash) => {
    const digest = createHash(hash).update(message).digest();
    const pkcs1 = signDigest(rsa2048.privateKey, `RSA_SIGN_PKCS1_2048_${hash.toUpperCase()}`, digest);
    expect(verify(hash, message, rsa2048.publicKey, pkcs1)).toBe(true);
    const pss = signDigest(rsa2048.privateKey, `RSA_SIGN_PSS_2048_${hash.toUpperCase()}`, digest);
    const pssKey = {
      key: rsa2048.publicKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: digest.length,
    };
    expect(verify(hash, message, pssKey, pss)).toBe(true);
    expect(verify(hash, Buffer.from('another'), pssKey, pss)).toBe(false);
  });
});
