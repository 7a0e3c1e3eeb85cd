import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningError } from '../signing-error.js';
import { GpgHome } from '../test-support/gpg.js';
import { readPgpPublicKeys } from './keys.js';
import { signPgpAttached } from './sign.js';
import { verifyPgpAttached, verifyPgpDetached } from './verify.js';

const payload = new TextEncoder().encode('{"critical":{"type":"atomic container signature"},"optional":{}}');
const DAY = 24 * 60 * 60 * 1000;
const later = (days: number) => new Date(Date.now() + days * DAY);

async function rejection(promise: Promise<unknown>): Promise<SigningError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigningError);
  return error as SigningError;
}

let gpg: GpgHome;
beforeAll(() => {
  gpg = new GpgHome();
});
afterAll(() => gpg.close());

const keysOf = async (query: string) => readPgpPublicKeys(gpg.exportPublic(query));
const gpgSign = (user: string, extra: string[] = []) =>
  gpg.ok([...extra, '-u', user, '-a', '--sign'], payload).toString('utf8');

describe('expired keys', () => {
  it('a key valid when it signed but expired now is refused (PGP_KEY_EXPIRED), accepted before expiry', async () => {
    const fpr = gpg.generate('Expiring <expiring@example.com>', 'ed25519', 'sign', '1d');
    const signature = gpgSign(fpr);
    const keys = await keysOf(fpr);
    expect((await verifyPgpAttached(signature, keys)).primaryFingerprint).toBe(fpr);
    const error = await rejection(verifyPgpAttached(signature, keys, { now: later(2) }));
    expect(error.code).toBe('PGP_KEY_EXPIRED');
    expect(error.message).toContain('(now)');
  });

  it('Kritis attestor-1 (expired 2022-03-23): a gpg signature from 2021 verifies in 2021, is refused today', async () => {
    const secret = readFileSync(
      join(process.env.SIGNET_TESTDATA!, 'kritis/integration/testdata/keys/attestor-1-secret-key.pgp'),
    );
    gpg.importKey(secret);
    const fpr = '88D27A9C701BD8391D372E5CCD415CBF850E2029';
    const signature = gpgSign(fpr, ['--faked-system-time', '20210601T120000!']);
    const keys = await readPgpPublicKeys(secret);
    const then = await verifyPgpAttached(signature, keys, { now: new Date('2021-06-02T00:00:00Z') });
    expect(then.signedAt.toISOString()).toBe('2021-06-01T12:00:00.000Z');
    expect(then.payload).toEqual(payload);
    const error = await rejection(verifyPgpAttached(signature, keys));
    expect(error.code).toBe('PGP_KEY_EXPIRED');
    expect(error.message).toContain('2022-03-23');
  });

  it('signPgpAttached refuses an expired key, and signs with it at a date it was valid', async () => {
    const armored = readFileSync(
      join(process.env.SIGNET_TESTDATA!, 'kritis/integration/testdata/keys/attestor-1-secret-key.pgp'),
      'utf8',
    );
    const error = await rejection(signPgpAttached(payload, armored));
    expect(error.code).toBe('PGP_KEY_EXPIRED');
    const date = new Date('2021-01-01T00:00:00Z');
    const { signature } = await signPgpAttached(payload, armored, { date });
    const keys = await readPgpPublicKeys(armored);
    expect((await verifyPgpAttached(signature, keys, { now: date })).signedAt).toEqual(date);
  });
});

describe('revoked keys', () => {
  it('a key revoked after it signed is refused (PGP_KEY_REVOKED), even judged at the signature time', async () => {
    const fpr = gpg.generate('Revoked <revoked@example.com>', 'ed25519', 'sign');
    const signature = gpgSign(fpr);
    const before = await keysOf(fpr);
    expect((await verifyPgpAttached(signature, before)).primaryFingerprint).toBe(fpr);
    gpg.revoke(fpr);
    const revoked = await keysOf(fpr);
    const signedAt = (await verifyPgpAttached(signature, before)).signedAt;
    for (const now of [undefined, signedAt]) {
      const error = await rejection(verifyPgpAttached(signature, revoked, now ? { now } : {}));
      expect(error.code).toBe('PGP_KEY_REVOKED');
    }
  });

  it('a signing subkey retired after it signed is refused now (PGP_KEY_REVOKED)', async () => {
    // Key and signature made in the past, so the revocation is clearly later than the signature.
    const past = (seconds: number) => ['--faked-system-time', `${Math.floor(Date.now() / 1000) - seconds}!`];
    const primary = gpg.generate(
      'Subkey revoked <subrev@example.com>',
      'ed25519',
      'cert',
      'never',
      past(7200),
    );
    gpg.ok([...past(7200), '--quick-add-key', primary, 'ed25519', 'sign']);
    const [, subkey] = gpg.fingerprints(primary);
    const signature = gpgSign(`${subkey}!`, past(3600));
    expect((await verifyPgpAttached(signature, await keysOf(primary))).keyFingerprint).toBe(subkey);
    // revkey on subkey 1, reason 3 ("key is no longer used"): a soft revocation, effective from now.
    gpg.ok(['--command-fd', '0', '--edit-key', primary], 'key 1\nrevkey\ny\n3\nretired\n\ny\nsave\n');
    const error = await rejection(verifyPgpAttached(signature, await keysOf(primary)));
    expect(error.code).toBe('PGP_KEY_REVOKED');
    expect(error.message).toContain(`subkey ${subkey}`);
  });
});

describe('weak digests', () => {
  it.each(['SHA1', 'MD5', 'RIPEMD160'])(
    'an Ed25519 signature with %s is refused (PGP_WEAK_HASH)',
    async (digest) => {
      const fpr = gpg.generate(`Digest ${digest} <digest-${digest}@example.com>`, 'ed25519', 'sign');
      const signature = gpgSign(fpr, ['--digest-algo', digest]);
      const error = await rejection(verifyPgpAttached(signature, await keysOf(fpr)));
      expect(error.code).toBe('PGP_WEAK_HASH');
      expect(error.message).toContain(digest === 'RIPEMD160' ? 'RIPEMD' : digest);
    },
  );

  it('an RSA-2048 SHA-1 signature is refused, attached and detached; the same key with SHA-256 passes', async () => {
    const fpr = gpg.generate('RSA SHA1 <rsa-sha1@example.com>', 'rsa2048', 'sign');
    const keys = await keysOf(fpr);
    await expect(verifyPgpAttached(gpgSign(fpr, ['--digest-algo', 'SHA1']), keys)).rejects.toMatchObject({
      code: 'PGP_WEAK_HASH',
    });
    const detached = gpg.ok(['--digest-algo', 'SHA1', '-u', fpr, '--detach-sign'], payload);
    await expect(verifyPgpDetached(payload, detached, keys)).rejects.toMatchObject({ code: 'PGP_WEAK_HASH' });
    const good = await verifyPgpAttached(gpgSign(fpr, ['--digest-algo', 'SHA256']), keys);
    expect(good.primaryFingerprint).toBe(fpr);
  });
});

describe('weak keys', () => {
  it('an RSA-1024 key: its gpg signature is refused and signPgpAttached refuses to sign (PGP_WEAK_KEY)', async () => {
    const fpr = gpg.generate('RSA1024 <rsa1024@example.com>', 'rsa1024', 'sign');
    const keys = await keysOf(fpr);
    expect(keys[0]!.bits).toBe(1024);
    const error = await rejection(verifyPgpAttached(gpgSign(fpr), keys));
    expect(error.code).toBe('PGP_WEAK_KEY');
    expect(error.message).toContain('RSA-1024');
    const refused = await rejection(signPgpAttached(payload, gpg.exportSecret(fpr)));
    expect(refused.code).toBe('PGP_WEAK_KEY');
  });
});

describe('who signed', () => {
  it('a good signature by a key that is not trusted is PGP_UNKNOWN_KEY', async () => {
    const signer = gpg.generate('Signer <signer@example.com>', 'ed25519', 'sign');
    const other = gpg.generate('Other <other@example.com>', 'ed25519', 'sign');
    const error = await rejection(verifyPgpAttached(gpgSign(signer), await keysOf(other)));
    expect(error.code).toBe('PGP_UNKNOWN_KEY');
    expect(error.message).toContain(signer);
    expect((await rejection(verifyPgpAttached(gpgSign(signer), []))).code).toBe('PGP_UNKNOWN_KEY');
  });

  it('with two signers, one of them trusted, the trusted one is reported', async () => {
    const trusted = gpg.generate('Trusted <trusted@example.com>', 'ed25519', 'sign');
    const stranger = gpg.generate('Stranger <stranger@example.com>', 'ed25519', 'sign');
    const signature = gpg.ok(['-u', stranger, '-u', trusted, '-a', '--sign'], payload).toString('utf8');
    const result = await verifyPgpAttached(signature, await keysOf(trusted));
    expect(result.primaryFingerprint).toBe(trusted);
  });
});

describe('tampering', () => {
  let fpr: string;
  let binary: Uint8Array;
  beforeAll(() => {
    fpr = gpg.generate('Tamper <tamper@example.com>', 'ed25519', 'sign');
    binary = new Uint8Array(gpg.ok(['--compress-algo', 'none', '-u', fpr, '--sign'], payload));
  });

  it('the untouched binary signature verifies', async () => {
    expect((await verifyPgpAttached(binary, await keysOf(fpr))).payload).toEqual(payload);
  });

  it('one changed byte of the payload is PGP_BAD_SIGNATURE', async () => {
    const at = Buffer.from(binary).indexOf(Buffer.from('atomic'));
    expect(at).toBeGreaterThan(0);
    const tampered = binary.slice();
    tampered.set([0x41], at);
    const error = await rejection(verifyPgpAttached(tampered, await keysOf(fpr)));
    expect(error.code).toBe('PGP_BAD_SIGNATURE');
  });

  it('one changed byte of the signature value is PGP_BAD_SIGNATURE', async () => {
    const tampered = binary.slice();
    tampered.set([tampered.at(-3)! ^ 0x01], tampered.length - 3);
    const error = await rejection(verifyPgpAttached(tampered, await keysOf(fpr)));
    expect(error.code).toBe('PGP_BAD_SIGNATURE');
  });
});

describe('signature validity period', () => {
  it('a signature made with a 1-day expiry is PGP_SIGNATURE_EXPIRED two days later', async () => {
    const fpr = gpg.generate('Sig expiry <sigexp@example.com>', 'ed25519', 'sign');
    const signature = gpgSign(fpr, ['--default-sig-expire', '1d']);
    const keys = await keysOf(fpr);
    expect((await verifyPgpAttached(signature, keys)).primaryFingerprint).toBe(fpr);
    expect((await rejection(verifyPgpAttached(signature, keys, { now: later(2) }))).code).toBe(
      'PGP_SIGNATURE_EXPIRED',
    );
  });

  it('a signature dated in the future is PGP_SIGNATURE_NOT_YET_VALID', async () => {
    const fpr = gpg.generate('Future <future@example.com>', 'ed25519', 'sign');
    const signature = gpgSign(fpr);
    const signedAt = (await verifyPgpAttached(signature, await keysOf(fpr))).signedAt;
    const now = new Date(signedAt.getTime() - DAY);
    const error = await rejection(verifyPgpAttached(signature, await keysOf(fpr), { now }));
    expect(error.code).toBe('PGP_SIGNATURE_NOT_YET_VALID');
  });
});

describe('not an attached signature', () => {
  it('clear-signed text is PGP_MALFORMED with a fix that says so', async () => {
    const fpr = gpg.generate('Clear <clear@example.com>', 'ed25519', 'sign');
    const clear = gpg.ok(['-u', fpr, '--clearsign'], payload).toString('utf8');
    const error = await rejection(verifyPgpAttached(clear, await keysOf(fpr)));
    expect(error.code).toBe('PGP_MALFORMED');
    expect(error.fix).toContain('Clear-signed text is not accepted');
  });

  it('a detached signature passed as attached is PGP_MALFORMED', async () => {
    const fpr = gpg.generate('Detached <detached@example.com>', 'ed25519', 'sign');
    const detached = gpg.ok(['-u', fpr, '-a', '--detach-sign'], payload).toString('utf8');
    expect((await rejection(verifyPgpAttached(detached, await keysOf(fpr)))).code).toBe('PGP_MALFORMED');
  });

  it('gpg --store (literal data only) and symmetric encryption are PGP_NOT_SIGNED', async () => {
    const fpr = gpg.generate('Store <store@example.com>', 'ed25519', 'sign');
    const keys = await keysOf(fpr);
    const stored = gpg.ok(['--store'], payload);
    expect((await rejection(verifyPgpAttached(stored, keys))).code).toBe('PGP_NOT_SIGNED');
    const encrypted = gpg.ok(['--passphrase', 'x', '--symmetric'], payload);
    expect((await rejection(verifyPgpAttached(encrypted, keys))).code).toBe('PGP_NOT_SIGNED');
  });
});
