import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { armor, enums } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PgpPublicKey, readPgpPublicKeys } from './keys.js';
import { verifyPgpAttached } from './verify.js';

// External vectors made by GnuPG (containers/image signature/fixtures); outcomes from their README.
const dir = join(process.env.SIGNET_TESTDATA!, 'containers-image');
const vector = (name: string) => readFileSync(join(dir, name));
const NOW = new Date('2026-11-28T00:00:00Z');
const SKOPEO_KEY = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const MANIFEST_DIGEST = 'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

let trusted: PgpPublicKey[];
beforeAll(async () => {
  const files = ['public-key.gpg', 'public-key-with-subkey.gpg', 'public-key-with-revoked-subkey.gpg'];
  trusted = (await Promise.all(files.map((file) => readPgpPublicKeys(vector(file))))).flat();
});

describe('containers/image vectors', () => {
  it('the README fingerprints are what we compute', () => {
    expect(trusted.map((k) => k.fingerprint)).toEqual([
      SKOPEO_KEY,
      'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36',
      '6D88C5A1993648A17B2BB0DC6B8499AF63388D63',
    ]);
  });

  it.each([
    ['image.signature', '"docker-reference":"testing/manifest"'],
    ['no-optional-fields.signature', '"optional":{}'],
  ])('%s is valid and returns the signed payload', async (file, fragment) => {
    const result = await verifyPgpAttached(vector(file), trusted, { now: NOW });
    const payload = Buffer.from(result.payload).toString('utf8');
    expect(result.keyFingerprint).toBe(SKOPEO_KEY);
    expect(result.primaryFingerprint).toBe(SKOPEO_KEY);
    expect(payload).toContain(fragment);
    expect(payload).toContain(MANIFEST_DIGEST);
  });

  it('image.signature: signature time as gpg reports it (2025-06-23, 1750706529)', async () => {
    const result = await verifyPgpAttached(vector('image.signature'), trusted, { now: NOW });
    expect(result.signedAt.getTime()).toBe(1750706529 * 1000);
  });

  it('invalid-reference.signature verifies; its payload (rejected later, by parsePayload) is returned', async () => {
    const result = await verifyPgpAttached(vector('invalid-reference.signature'), trusted, { now: NOW });
    expect(Buffer.from(result.payload).toString('utf8')).toContain('"docker-reference":"UPPERCASEISINVALID"');
    expect(result.primaryFingerprint).toBe(SKOPEO_KEY);
  });

  it('invalid-blob.signature verifies and returns exactly the text it signs', async () => {
    const result = await verifyPgpAttached(vector('invalid-blob.signature'), trusted, { now: NOW });
    expect(Buffer.from(result.payload).toString('utf8')).toBe('This is not JSON\n');
  });

  it('subkey.signature is valid with public-key-with-subkey.gpg, made by the subkey', async () => {
    const result = await verifyPgpAttached(vector('subkey.signature'), trusted, { now: NOW });
    expect(result.keyFingerprint).toBe('57D1D95BBC53BA0EAFF0718CD75B3109B3BAAEAF');
    expect(result.primaryFingerprint).toBe('B9F4CDB9FD8C475BFA340AC38D54A947EE396F36');
    expect(Buffer.from(result.payload).toString('utf8')).toContain(
      '"docker-reference":"testing/manifest:latest"',
    );
  });

  it('corrupt.signature is rejected: a bad signature, or (Node >= 22, stricter zlib) a corrupt compressed stream', async () => {
    const error: unknown = await verifyPgpAttached(vector('corrupt.signature'), trusted, { now: NOW }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toMatchObject({ name: 'SigningError' });
    expect(['PGP_BAD_SIGNATURE', 'PGP_MALFORMED']).toContain((error as { code: string }).code);
  });

  it.each([
    ['expired.signature', 'PGP_SIGNATURE_EXPIRED'],
    ['subkey-revoked.signature', 'PGP_KEY_REVOKED'],
    ['unknown-key.signature', 'PGP_UNKNOWN_KEY'],
    ['unsigned-encrypted.signature', 'PGP_NOT_SIGNED'],
    ['unsigned-literal.signature', 'PGP_NOT_SIGNED'],
  ])('%s is rejected with %s', async (file, code) => {
    await expect(verifyPgpAttached(vector(file), trusted, { now: NOW })).rejects.toMatchObject({
      name: 'SigningError',
      code,
    });
  });

  it('expired.signature was valid before its expiry (2025-06-24T10:00Z)', async () => {
    const before = await verifyPgpAttached(vector('expired.signature'), trusted, {
      now: new Date('2025-06-24T09:59:00Z'),
    });
    expect(before.primaryFingerprint).toBe(SKOPEO_KEY);
    await expect(
      verifyPgpAttached(vector('expired.signature'), trusted, { now: new Date('2025-06-24T10:00:00Z') }),
    ).rejects.toMatchObject({ code: 'PGP_SIGNATURE_EXPIRED' });
  });

  it('a valid signature is an unknown key when only an unrelated key is trusted (public-key-2.gpg)', async () => {
    const other = await readPgpPublicKeys(vector('public-key-2.gpg'));
    await expect(verifyPgpAttached(vector('image.signature'), other, { now: NOW })).rejects.toMatchObject({
      code: 'PGP_UNKNOWN_KEY',
    });
  });

  it('public-key-1.gpg is, despite the README, the skopeo testing key itself (binary form)', async () => {
    const [key] = await readPgpPublicKeys(vector('public-key-1.gpg'));
    expect(key!.fingerprint).toBe(SKOPEO_KEY);
    const result = await verifyPgpAttached(vector('image.signature'), [key!], { now: NOW });
    expect(result.primaryFingerprint).toBe(SKOPEO_KEY);
  });

  it('accepts the same vector as armor and as base64 of the armor', async () => {
    const armored = armor(enums.armor.message, vector('image.signature'));
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const fromArmor = await verifyPgpAttached(armored, trusted, { now: NOW });
    const fromBase64 = await verifyPgpAttached(Buffer.from(armored).toString('base64'), trusted, {
      now: NOW,
    });
    const fromBinary = await verifyPgpAttached(vector('image.signature'), trusted, { now: NOW });
    expect(fromArmor.payload).toEqual(fromBinary.payload);
    expect(fromBase64.payload).toEqual(fromBinary.payload);
  });
});
