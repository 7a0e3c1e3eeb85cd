import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cosignFile } from '../test-support/cosign-vectors.js';
import { generateCosignKeyPair, sealCosignPrivateKey } from './key-pair.js';
import { readCosignPrivateKey } from './private-key.js';

const PASSWORD = 'signet-test-vectors';
const recordedKey = cosignFile('keys/ecdsa-p256.key').toString('utf8');

/** The salt and nonce of the envelope of a cosign key file. */
function randomOf(pem: string) {
  const body = pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
  const envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as {
    kdf: { salt: string };
    cipher: { nonce: string };
  };
  return {
    salt: Buffer.from(envelope.kdf.salt, 'base64'),
    nonce: Buffer.from(envelope.cipher.nonce, 'base64'),
  };
}

describe('generateCosignKeyPair', () => {
  it('makes an ECDSA P-256 key that readCosignPrivateKey opens with the password, matching the .pub', () => {
    const pair = generateCosignKeyPair('s3cret');
    const key = readCosignPrivateKey(pair.privateKeyPem, 's3cret');
    expect(key.publicKey.type).toBe('ecdsa-p256');
    const spki = key.publicKey.key.export({ type: 'spki', format: 'pem' }).toString();
    expect(spki).toBe(pair.publicKeyPem);
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
  });

  it('is refused with another password', () => {
    const pair = generateCosignKeyPair('s3cret');
    expect(() => readCosignPrivateKey(pair.privateKeyPem, 's3cret ')).toThrow(
      expect.objectContaining({ code: 'COSIGN_PASSWORD_WRONG' }),
    );
  });

  it('takes an empty password, as cosign does', () => {
    const pair = generateCosignKeyPair('');
    expect(readCosignPrivateKey(pair.privateKeyPem, '').publicKey.type).toBe('ecdsa-p256');
  });

  it('uses a fresh salt and nonce each time', () => {
    const first = randomOf(generateCosignKeyPair('x').privateKeyPem);
    const second = randomOf(generateCosignKeyPair('x').privateKeyPem);
    expect(first.salt).toHaveLength(32);
    expect(first.nonce).toHaveLength(24);
    expect(first.salt.equals(second.salt)).toBe(false);
    expect(first.nonce.equals(second.nonce)).toBe(false);
  });
});

describe('sealCosignPrivateKey', () => {
  it("writes cosign 2.5's key file byte for byte, given the recorded salt and nonce", () => {
    const key = readCosignPrivateKey(recordedKey, PASSWORD);
    expect(sealCosignPrivateKey(key.privateKey, PASSWORD, randomOf(recordedKey))).toBe(recordedKey);
  });

  it('seals an Ed25519 key that opens again to the same key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const opened = readCosignPrivateKey(sealCosignPrivateKey(privateKey, 'pw'), 'pw');
    const der = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'der' });
    expect(der(opened.privateKey).equals(der(privateKey))).toBe(true);
  });
});
