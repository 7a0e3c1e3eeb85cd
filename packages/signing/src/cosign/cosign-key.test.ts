import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosignFile, cosignKeyData } from '../test-support/cosign-vectors.js';
import { readCosignPublicKey } from './cosign-key.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const publicPem = (key: { publicKey: { export(o: object): string | Buffer } }) =>
  String(key.publicKey.export({ type: 'spki', format: 'pem' }));

describe('readCosignPublicKey', () => {
  it.each([
    ['ecdsa-p256', 'ecdsa-p256'],
    ['ed25519', 'ed25519'],
    ['rsa-3072', 'rsa'],
    ['ecdsa-p384', 'ecdsa-p384'],
  ] as const)('reads the recorded %s key as %s', (name, type) => {
    const reading = readCosignPublicKey(cosignKeyData(name));
    expect(reading.valid && reading.key.type).toBe(type);
  });

  it("computes the hint cosign wrote in its bundle (SHA-256 of the key's SubjectPublicKeyInfo)", () => {
    const reading = readCosignPublicKey(cosignKeyData('ecdsa-p256'));
    expect(reading.valid && reading.key.hint).toBe('GLEIPmoqf9aKW7LzWLSQZ2hscCp0l6Eas0nLiLfvovg=');
  });

  it('reads base64 without padding and with line breaks', () => {
    const data = cosignKeyData('ed25519')
      .replace(/=+$/, '')
      .replace(/(.{60})/g, '$1\n');
    expect(readCosignPublicKey(data).valid).toBe(true);
  });

  const p521 = publicPem(generateKeyPairSync('ec', { namedCurve: 'P-521' }));
  const k256 = publicPem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }));
  const rsa1024 = publicPem(generateKeyPairSync('rsa', { modulusLength: 1024 }));
  const x25519 = publicPem(generateKeyPairSync('x25519'));
  const p256Pem = cosignFile('keys/ecdsa-p256.pub').toString('utf8');
  const privatePem = String(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );

  it.each([
    ['empty', '', 'publicKeyData is empty'],
    ['a PEM block, not its base64', p256Pem, 'a PEM block, not its base64'],
    ['not base64', 'not base64!', 'is not base64'],
    ['base64 of text', base64('hello'), 'exactly one "BEGIN PUBLIC KEY" PEM block'],
    ['a private key', base64(privatePem), 'exactly one "BEGIN PUBLIC KEY" PEM block'],
    ['two keys', base64(p256Pem + p256Pem), 'exactly one "BEGIN PUBLIC KEY" PEM block'],
    ['text after the block', base64(`${p256Pem}trailer\n`), 'exactly one "BEGIN PUBLIC KEY" PEM block'],
    ['a damaged key', base64(p256Pem.replace(/MFkw[A-Za-z0-9+/]{8}/, 'MFkwAAAAAAAAAAAA')), 'cannot be read'],
    ['a P-521 key', base64(p521), 'curve secp521r1'],
    ['a secp256k1 key', base64(k256), 'curve secp256k1'],
    ['an RSA-1024 key', base64(rsa1024), '1024 bits'],
    ['an X25519 key', base64(x25519), 'a x25519 key cannot verify'],
  ])('refuses %s with a reason and the fix', (_, data, reason) => {
    const reading = readCosignPublicKey(data);
    expect(reading.valid).toBe(false);
    if (reading.valid) return;
    expect(reading.code).toBe('COSIGN_KEY_INVALID');
    expect(reading.message).toContain(reason);
    expect(reading.fix).toContain('base64 -w0 cosign.pub');
  });

  it('answers any string, and non-strings, without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.anything()), (data) => {
        expect(typeof readCosignPublicKey(data as string).valid).toBe('boolean');
      }),
    );
  });
});
