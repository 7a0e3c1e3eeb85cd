import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningError } from '../signing-error.js';
import { fprLines, GpgHome, primaryFprLines } from '../test-support/gpg.js';
import { findPgpKeyById, readPgpPublicKeys } from './keys.js';

const testdata = process.env.SIGNET_TESTDATA!;
const kritis = (path: string) => join(testdata, 'kritis/integration', path);
const image = (path: string) => join(testdata, 'containers-image', path);

/** What gpg itself computes for a key file. */
function gpgFingerprints(gpg: GpgHome, path: string): string[] {
  return fprLines(gpg.ok(['--with-colons', '--show-keys', path]).toString('utf8'));
}

describe('readPgpPublicKeys', () => {
  let gpg: GpgHome;
  beforeAll(() => {
    gpg = new GpgHome();
  });
  afterAll(() => gpg.close());

  it('reads the Kritis attestor-1 secret key as its public part, fingerprint as gpg computes it', async () => {
    const path = kritis('testdata/keys/attestor-1-secret-key.pgp');
    const [key, ...rest] = await readPgpPublicKeys(readFileSync(path, 'utf8'));
    expect(rest).toEqual([]);
    expect(key!.fingerprint).toBe('88D27A9C701BD8391D372E5CCD415CBF850E2029');
    expect(gpgFingerprints(gpg, path)[0]).toBe(key!.fingerprint);
    expect(key!.userIds).toEqual(['attestor@example.com']);
    expect(key!.armored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(key!.armored).not.toContain('PRIVATE');
    expect(key!.key.isPrivate()).toBe(false);
  });

  it('reads the Kritis attestor-2 key, fingerprint as gpg computes it', async () => {
    const path = kritis('testdata/keys/attestor-2-secret-key.pgp');
    const [key] = await readPgpPublicKeys(readFileSync(path));
    expect(key!.fingerprint).toBe(gpgFingerprints(gpg, path)[0]);
    expect(key!.fingerprint).toBe('27FE3DC4C22F5182E459C07D1320634CB3865049');
  });

  it('derives the same public key gpg derives from the secret key', async () => {
    const path = kritis('testdata/keys/attestor-1-secret-key.pgp');
    gpg.importKey(readFileSync(path));
    const fromGpg = await readPgpPublicKeys(gpg.exportPublic('88D27A9C701BD8391D372E5CCD415CBF850E2029'));
    const ours = await readPgpPublicKeys(readFileSync(path, 'utf8'));
    expect(fromGpg.map((k) => k.fingerprint)).toEqual(ours.map((k) => k.fingerprint));
    expect(fromGpg[0]!.key.keyPacket.write()).toEqual(ours[0]!.key.keyPacket.write());
  });

  it('reads the key embedded, base64 of the armor, in Kritis test-attestor-1.yaml', async () => {
    const yaml = readFileSync(kritis('testdata/generic-attestation-policy/test-attestor-1.yaml'), 'utf8');
    const base64 = /asciiArmoredPgpPublicKey: (\S+)/.exec(yaml)![1]!;
    const keyId = /keyId: (\S+)/.exec(yaml)![1]!;
    const [key] = await readPgpPublicKeys(base64);
    expect(key!.fingerprint).toBe(keyId);
  });

  it('reads the Kritis signer key pair (public and private files) with the fingerprint gpg computes', async () => {
    const pub = await readPgpPublicKeys(readFileSync(kritis('signer/public.key'), 'utf8'));
    const priv = await readPgpPublicKeys(readFileSync(kritis('signer/private.key'), 'utf8'));
    expect(pub.map((k) => k.fingerprint)).toEqual(['EDEEBA8C1643F102542055B1B77522D28FA683D6']);
    expect(priv.map((k) => k.fingerprint)).toEqual(pub.map((k) => k.fingerprint));
    expect(gpgFingerprints(gpg, kritis('signer/public.key'))).toEqual([
      'EDEEBA8C1643F102542055B1B77522D28FA683D6',
    ]);
    expect(pub[0]!.bits).toBe(2048);
  });

  it('lists the signing subkey of a key with one, as gpg does', async () => {
    const [key] = await readPgpPublicKeys(readFileSync(image('public-key-with-subkey.gpg'), 'utf8'));
    expect(key!.signingFingerprints).toEqual([
      'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36',
      '57D1D95BBC53BA0EAFF0718CD75B3109B3BAAEAF',
    ]);
    expect(gpgFingerprints(gpg, image('public-key-with-subkey.gpg'))).toEqual(key!.signingFingerprints);
  });

  it('does not list a revoked subkey as a signing key', async () => {
    const [key] = await readPgpPublicKeys(readFileSync(image('public-key-with-revoked-subkey.gpg')));
    expect(key!.signingFingerprints).toEqual(['6D88C5A1993648A17B2BB0DC6B8499AF63388D63']);
  });

  it('reads binary keys, and several armored blocks in one input', async () => {
    const binary = await readPgpPublicKeys(readFileSync(image('public-key-2.gpg')));
    expect(binary.map((k) => k.fingerprint)).toEqual(['F2B501009F78B0B340221A12A3CD242DA6028093']);
    const both = `${readFileSync(image('public-key.gpg'), 'utf8')}\n${readFileSync(kritis('signer/public.key'), 'utf8')}`;
    expect((await readPgpPublicKeys(both)).map((k) => k.fingerprint)).toEqual([
      '08CD26E446E2E95249B7A405E932F44B23E8DD43',
      'EDEEBA8C1643F102542055B1B77522D28FA683D6',
    ]);
  });

  it('reads a keyring of several binary keys as gpg exports it', async () => {
    gpg.importKey(readFileSync(image('public-key.gpg')));
    gpg.importKey(readFileSync(image('public-key-2.gpg')));
    const ring = gpg.exportPublic('', false);
    const keys = await readPgpPublicKeys(ring);
    const listed = primaryFprLines(gpg.ok(['--with-colons', '--list-keys']).toString('utf8'));
    expect(keys.map((k) => k.fingerprint).sort()).toEqual(listed.sort());
    expect(keys.map((k) => k.fingerprint)).toContain('F2B501009F78B0B340221A12A3CD242DA6028093');
  });

  it.each([
    ['empty text', ''],
    ['plain words', 'this is not a key'],
    ['an armor block that is not a key', '-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----'],
    ['a truncated key', readFileSync(image('public-key.gpg'), 'utf8').slice(0, 400)],
    ['base64 of garbage', Buffer.from('garbage garbage garbage').toString('base64')],
  ])('refuses %s with PGP_MALFORMED', async (_name, input) => {
    const error = await readPgpPublicKeys(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigningError);
    expect((error as SigningError).code).toBe('PGP_MALFORMED');
  });

  it('refuses empty bytes with PGP_MALFORMED', async () => {
    await expect(readPgpPublicKeys(new Uint8Array())).rejects.toMatchObject({ code: 'PGP_MALFORMED' });
  });
});

describe('findPgpKeyById', () => {
  it('finds a key by primary or signing-subkey fingerprint, in any case or openpgp4fpr: form', async () => {
    const keys = [
      ...(await readPgpPublicKeys(readFileSync(image('public-key.gpg')))),
      ...(await readPgpPublicKeys(readFileSync(image('public-key-with-subkey.gpg')))),
    ];
    expect(findPgpKeyById(keys, 'openpgp4fpr:08cd26e446e2e95249b7a405e932f44b23e8dd43')?.fingerprint).toBe(
      '08CD26E446E2E95249B7A405E932F44B23E8DD43',
    );
    expect(findPgpKeyById(keys, '57D1 D95B BC53 BA0E AFF0  718C D75B 3109 B3BA AEAF')?.fingerprint).toBe(
      'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36',
    );
    expect(findPgpKeyById(keys, 'E932F44B23E8DD43')).toBeUndefined();
    expect(findPgpKeyById(keys, 'F2B501009F78B0B340221A12A3CD242DA6028093')).toBeUndefined();
  });
});
