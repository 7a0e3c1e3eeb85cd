import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpgHome, validSigs } from '../test-support/gpg.js';
import { readPgpPublicKeys } from './keys.js';
import { signPgpAttached } from './sign.js';
import { verifyPgpAttached, verifyPgpDetached } from './verify.js';

const payload = new TextEncoder().encode(
  '{"critical":{"identity":{"docker-reference":"registry.example/team/app"},"image":{"docker-manifest-digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},"type":"atomic container signature"},"optional":{"creator":"gpg interop test"}}',
);

const KEY_TYPES = [
  ['RSA-3072', 'rsa3072'],
  ['Ed25519', 'ed25519'],
] as const;

describe.each(KEY_TYPES)('gpg %s key', (_label, algo) => {
  let gpg: GpgHome;
  let fingerprint: string;
  const user = `Interop ${algo} <interop-${algo}@example.com>`;

  beforeAll(() => {
    gpg = new GpgHome();
    fingerprint = gpg.generate(user, algo, 'sign');
  });
  afterAll(() => gpg.close());

  it('a payload signed by `gpg -u USER -a --sign` verifies, with the fingerprint gpg reports', async () => {
    const signature = gpg.ok(['-u', user, '-a', '--sign'], payload).toString('utf8');
    expect(signature).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const keys = await readPgpPublicKeys(gpg.exportPublic(fingerprint));
    const result = await verifyPgpAttached(signature, keys);
    expect(result.payload).toEqual(payload);
    expect(result.keyFingerprint).toBe(fingerprint);
    expect(result.primaryFingerprint).toBe(fingerprint);
    expect(keys[0]!.fingerprint).toBe(fingerprint);
  });

  it('a binary (non-armored) gpg signature verifies too', async () => {
    const signature = gpg.ok(['-u', user, '--sign'], payload);
    const keys = await readPgpPublicKeys(gpg.exportPublic(fingerprint, false));
    const result = await verifyPgpAttached(new Uint8Array(signature), keys);
    expect(result.payload).toEqual(payload);
  });

  it('a `gpg --detach-sign` signature verifies with verifyPgpDetached', async () => {
    const signature = gpg.ok(['-u', user, '-a', '--detach-sign'], payload).toString('utf8');
    const keys = await readPgpPublicKeys(gpg.exportPublic(fingerprint));
    const result = await verifyPgpDetached(payload, signature, keys);
    expect(result.keyFingerprint).toBe(fingerprint);
    const altered = payload.slice();
    altered.set([altered[10]! ^ 1], 10);
    await expect(verifyPgpDetached(altered, signature, keys)).rejects.toMatchObject({
      code: 'PGP_BAD_SIGNATURE',
    });
  });

  it('a signature made by signPgpAttached passes `gpg --verify` (VALIDSIG with our fingerprint)', async () => {
    const { signature, keyFingerprint } = await signPgpAttached(payload, gpg.exportSecret(fingerprint));
    expect(keyFingerprint).toBe(fingerprint);
    const path = gpg.writeFile(`ours-${algo}.asc`, signature);
    const verified = gpg.run(['--status-fd', '1', '--verify', path]);
    expect(verified.status).toBe(0);
    expect(validSigs(verified.stdout.toString('utf8'))).toEqual([
      { signing: fingerprint, primary: fingerprint },
    ]);
    const decrypted = gpg.ok(['--decrypt', path]);
    expect(new Uint8Array(decrypted)).toEqual(payload);
  });
});

describe('keys made here, checked by gpg', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = new GpgHome();
  });
  afterAll(() => gpg.close());

  it.each(['ed25519', 'rsa'] as const)(
    'a %s key from generatePgpKey imports into gpg with the same fingerprint and signs for it',
    async (type) => {
      const { generatePgpKey } = await import('./generate.js');
      const key = await generatePgpKey({ name: `Gen ${type}`, email: `gen-${type}@example.com`, type });
      gpg.importKey(key.publicKey);
      expect(gpg.fingerprints(key.fingerprint)).toEqual([key.fingerprint]);
      const { signature } = await signPgpAttached(payload, key.privateKey);
      const verified = gpg.run(['--status-fd', '1', '--verify'], signature);
      expect(verified.status).toBe(0);
      expect(validSigs(verified.stdout.toString('utf8'))[0]?.primary).toBe(key.fingerprint);
    },
  );

  it('an ECDSA P-256 key made by gpg signs here and gpg verifies it', async () => {
    const fpr = gpg.generate('ECDSA <ecdsa@example.com>', 'nistp256', 'sign');
    const { signature, keyFingerprint } = await signPgpAttached(payload, gpg.exportSecret(fpr));
    expect(keyFingerprint).toBe(fpr);
    const verified = gpg.run(['--status-fd', '1', '--verify'], signature);
    expect(verified.status).toBe(0);
    expect(validSigs(verified.stdout.toString('utf8'))[0]?.signing).toBe(fpr);
    const keys = await readPgpPublicKeys(gpg.exportPublic(fpr));
    expect((await verifyPgpAttached(signature, keys)).payload).toEqual(payload);
  });

  it('a signature by a gpg signing subkey reports the subkey and its primary', async () => {
    const primary = gpg.generate('Subkeys <subkeys@example.com>', 'ed25519', 'cert');
    gpg.ok(['--quick-add-key', primary, 'ed25519', 'sign']);
    const [, subkey] = gpg.fingerprints(primary);
    const signature = gpg.ok(['-u', `${subkey}!`, '-a', '--sign'], payload).toString('utf8');
    const keys = await readPgpPublicKeys(gpg.exportPublic(primary));
    expect(keys[0]!.signingFingerprints).toEqual([primary, subkey]);
    const result = await verifyPgpAttached(signature, keys);
    expect(result.keyFingerprint).toBe(subkey);
    expect(result.primaryFingerprint).toBe(primary);
    const ours = await signPgpAttached(payload, gpg.exportSecret(primary));
    expect(ours.keyFingerprint).toBe(subkey);
    const verified = gpg.run(['--status-fd', '1', '--verify'], ours.signature);
    expect(validSigs(verified.stdout.toString('utf8'))).toEqual([{ signing: subkey, primary }]);
  });
});
