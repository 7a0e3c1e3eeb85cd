import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cosignFile } from '../test-support/cosign-vectors.js';
import { readCosignPrivateKey } from './private-key.js';

const PASSWORD = 'signet-test-vectors';
const keyFile = (name: string) => cosignFile(`keys/${name}.key`).toString('utf8');
const pub = (name: string) => cosignFile(`keys/${name}.pub`).toString('utf8');
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string; fix?: string }).code;
  }
  return 'no error';
};

/** The recorded key file with its JSON envelope changed by `edit`. */
interface EnvelopeJson {
  kdf: { name: string; params: { N: number } };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function edited(name: string, edit: (envelope: EnvelopeJson) => void): string {
  const body = keyFile(name)
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
  const envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as EnvelopeJson;
  edit(envelope);
  const encoded = Buffer.from(JSON.stringify(envelope)).toString('base64');
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${encoded}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

describe('readCosignPrivateKey', () => {
  it.each([
    ['ecdsa-p256', 'ecdsa-p256'],
    ['ed25519', 'ed25519'],
  ] as const)(
    'decrypts the %s key cosign wrote: its public half is the recorded cosign.pub',
    (name, type) => {
      const key = readCosignPrivateKey(keyFile(name), PASSWORD);
      expect(key.publicKey.type).toBe(type);
      expect(String(key.publicKey.key.export({ type: 'spki', format: 'pem' }))).toBe(pub(name));
    },
  );

  it('reads the cosign 1.x label (ENCRYPTED COSIGN PRIVATE KEY) too', () => {
    const old = keyFile('ecdsa-p256').replaceAll('ENCRYPTED SIGSTORE', 'ENCRYPTED COSIGN');
    expect(readCosignPrivateKey(old, PASSWORD).publicKey.type).toBe('ecdsa-p256');
  });

  it('refuses a wrong password with COSIGN_PASSWORD_WRONG and a fix naming COSIGN_PASSWORD', () => {
    let caught: { code?: string; fix?: string } = {};
    try {
      readCosignPrivateKey(keyFile('ecdsa-p256'), 'not-the-password');
    } catch (error) {
      caught = error as typeof caught;
    }
    expect(caught.code).toBe('COSIGN_PASSWORD_WRONG');
    expect(caught.fix).toContain('COSIGN_PASSWORD');
  });

  it('refuses a changed ciphertext as a wrong password (secretbox authenticates it)', () => {
    const tampered = edited('ed25519', (e) => {
      const bytes = Buffer.from(e.ciphertext, 'base64');
      bytes[0]! ^= 1;
      e.ciphertext = bytes.toString('base64');
    });
    expect(codeOf(() => readCosignPrivateKey(tampered, PASSWORD))).toBe('COSIGN_PASSWORD_WRONG');
  });

  it.each([
    ['an empty file', ''],
    ['a public key', pub('ecdsa-p256')],
    [
      'an unencrypted PKCS#8 key',
      String(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })),
    ],
    [
      'a body that is not JSON',
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----',
    ],
    [
      'another KDF',
      edited('ed25519', (e) => {
        e.kdf.name = 'pbkdf2';
      }),
    ],
    [
      'another cipher',
      edited('ed25519', (e) => {
        e.cipher.name = 'aes-gcm';
      }),
    ],
    [
      'a scrypt cost past the bound',
      edited('ed25519', (e) => {
        e.kdf.params.N = 2 ** 24;
      }),
    ],
    [
      'a cost that is not a power of two',
      edited('ed25519', (e) => {
        e.kdf.params.N = 1000;
      }),
    ],
    [
      'a short nonce',
      edited('ed25519', (e) => {
        e.cipher.nonce = 'AAAA';
      }),
    ],
  ])('refuses %s with COSIGN_PRIVATE_KEY_INVALID, not a crash', (_, text) => {
    expect(codeOf(() => readCosignPrivateKey(text, PASSWORD))).toBe('COSIGN_PRIVATE_KEY_INVALID');
  });
});
