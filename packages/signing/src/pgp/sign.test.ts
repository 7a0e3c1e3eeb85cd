import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningError } from '../signing-error.js';
import { GpgHome } from '../test-support/gpg.js';
import { generatePgpKey } from './generate.js';
import { readPgpPublicKeys } from './keys.js';
import { signPgpAttached } from './sign.js';
import { verifyPgpAttached } from './verify.js';

const payload = new TextEncoder().encode('{"critical":{},"optional":{}}');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigningError);
  return (error as SigningError).code;
}

describe('generatePgpKey', () => {
  it('makes an Ed25519 key by default, whose public half and fingerprint verify what it signs', async () => {
    const key = await generatePgpKey({ name: 'CI Signer', email: 'ci@example.com' });
    const [pub] = await readPgpPublicKeys(key.publicKey);
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(pub!.fingerprint).toBe(key.fingerprint);
    expect(pub!.algorithm).toBe('eddsaLegacy');
    expect(pub!.userIds).toEqual(['CI Signer <ci@example.com>']);
    expect(key.privateKey).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');
    const { signature, keyFingerprint } = await signPgpAttached(payload, key.privateKey);
    expect(keyFingerprint).toBe(key.fingerprint);
    expect((await verifyPgpAttached(signature, [pub!])).payload).toEqual(payload);
  });

  it('makes an RSA-3072 key on request', async () => {
    const key = await generatePgpKey({ name: 'RSA', email: 'rsa@example.com', type: 'rsa' });
    const [pub] = await readPgpPublicKeys(key.publicKey);
    expect(pub!.algorithm).toBe('rsaEncryptSign');
    expect(pub!.bits).toBe(3072);
  });

  it.each([
    [{ name: '', email: 'a@example.com' }],
    [{ name: 'A', email: 'not an email' }],
    [{ name: 'A <b@c.d>', email: 'a@example.com' }],
  ])('refuses the user id %j with PGP_INVALID_USER_ID', async (options) => {
    expect(await codeOf(generatePgpKey(options))).toBe('PGP_INVALID_USER_ID');
  });
});

describe('signPgpAttached with protected keys', () => {
  let protectedKey: string;
  let publicKey: string;
  beforeAll(async () => {
    const key = await generatePgpKey({
      name: 'Locked',
      email: 'locked@example.com',
      passphrase: 'correct horse',
    });
    protectedKey = key.privateKey;
    publicKey = key.publicKey;
  });

  it('signs with the right passphrase', async () => {
    const { signature } = await signPgpAttached(payload, protectedKey, { passphrase: 'correct horse' });
    const result = await verifyPgpAttached(signature, await readPgpPublicKeys(publicKey));
    expect(result.payload).toEqual(payload);
  });

  it('says a passphrase is required when none is given', async () => {
    expect(await codeOf(signPgpAttached(payload, protectedKey))).toBe('PGP_PASSPHRASE_REQUIRED');
  });

  it('says the passphrase is wrong when it is', async () => {
    expect(await codeOf(signPgpAttached(payload, protectedKey, { passphrase: 'battery staple' }))).toBe(
      'PGP_PASSPHRASE_WRONG',
    );
  });

  it('refuses a public key in place of the private key (PGP_KEY_INVALID)', async () => {
    expect(await codeOf(signPgpAttached(payload, publicKey))).toBe('PGP_KEY_INVALID');
  });

  it.each([
    '',
    'garbage',
    '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----',
  ])('refuses the private key %j with PGP_MALFORMED', async (armored) => {
    expect(await codeOf(signPgpAttached(payload, armored))).toBe('PGP_MALFORMED');
  });
});

describe('signPgpAttached with gpg keys', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = new GpgHome();
  });
  afterAll(() => gpg.close());

  it('unlocks a key gpg protected with a passphrase, and says when the passphrase is wrong', async () => {
    const user = 'Gpg Locked <gpg-locked@example.com>';
    gpg.ok(['--passphrase', 'open sesame', '--quick-gen-key', user, 'ed25519', 'sign', 'never']);
    const secret = gpg
      .ok(['--passphrase', 'open sesame', '--armor', '--export-secret-keys', user])
      .toString('utf8');
    const { keyFingerprint } = await signPgpAttached(payload, secret, { passphrase: 'open sesame' });
    expect(keyFingerprint).toBe(gpg.fingerprints(user)[0]);
    expect(await codeOf(signPgpAttached(payload, secret, { passphrase: 'open says me' }))).toBe(
      'PGP_PASSPHRASE_WRONG',
    );
    expect(await codeOf(signPgpAttached(payload, secret))).toBe('PGP_PASSPHRASE_REQUIRED');
  });

  it('signs with the Kritis signer private key (RSA-2048), verified by its public.key', async () => {
    const dir = join(process.env.SIGNET_TESTDATA!, 'kritis/integration/signer');
    const date = new Date('2026-01-01T00:00:00Z');
    const { signature, keyFingerprint } = await signPgpAttached(
      payload,
      readFileSync(join(dir, 'private.key'), 'utf8'),
      { date },
    );
    expect(keyFingerprint).toBe('EDEEBA8C1643F102542055B1B77522D28FA683D6');
    const keys = await readPgpPublicKeys(readFileSync(join(dir, 'public.key')));
    const result = await verifyPgpAttached(signature, keys);
    expect(result.signedAt).toEqual(date);
    gpg.importKey(readFileSync(join(dir, 'public.key')));
    expect(gpg.run(['--verify'], signature).status).toBe(0);
  });
});
