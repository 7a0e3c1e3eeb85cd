import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../test-support/occurrence-json.js';
import { expectCleanError, runSignet } from '../test-support/run-signet.js';
import { createSandbox, gpgGenerateKey, type Sandbox, testDigest } from '../test-support/sandbox.js';

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const kritisPgpFingerprint = 'EDEEBA8C1643F102542055B1B77522D28FA683D6';
const image = `gcr.io/my-proj/app@${testDigest}`;
const note = 'projects/attestors/notes/qa';

let sandbox: Sandbox;
let payload: Buffer;
beforeAll(async () => {
  sandbox = createSandbox();
  const created = await runSignet(
    ['note', 'create', '--project', 'attestors', '--note-id', 'qa'],
    sandbox.env,
  );
  expect(created.code).toBe(0);
  payload = (await runSignet(['payload', '--image', image], sandbox.env)).stdoutBytes;
});
afterAll(() => sandbox.cleanup());

async function signJson(args: string[], api = 'v1') {
  const run = await runSignet(
    ['--api', api, '--output', 'json', 'sign', '--image', image, '--note', note, ...args],
    sandbox.env,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** `gpg --verify` in the sandbox keyring, then the signed content as gpg sees it. */
function gpgVerify(signature: Buffer): Buffer {
  const file = sandbox.write(`sig-${Math.random().toString(36).slice(2)}.asc`, signature);
  sandbox.gpg(['--verify', file]);
  return sandbox.gpg(['--decrypt', file]);
}

describe('signet sign --pgp-key', () => {
  beforeAll(() => {
    sandbox.gpg(['--import', join(kritisSigner, 'public.key')]);
  });

  it.each(['v1', 'v1beta1'])(
    'makes a signature gpg --verify accepts, over the payload bytes (%s)',
    async (api) => {
      const occurrence = await signJson(['--pgp-key', join(kritisSigner, 'private.key')], api);
      expect(occurrence.noteName).toBe(note);
      expect(occurrence.name).toMatch(/^projects\/attestors\/occurrences\/\S+$/);
      const { signature, keyId, payload: serialized } = signatureOf(occurrence);
      expect(keyId).toBe(kritisPgpFingerprint);
      expect(signature.toString('utf8')).toMatch(/^-----BEGIN PGP MESSAGE-----/);
      expect(gpgVerify(signature).equals(payload)).toBe(true);
      if (api === 'v1') {
        expect(occurrence.resourceUri).toBe(`https://${image}`);
        expect(serialized?.equals(payload)).toBe(true);
      } else {
        expect(occurrence.resource).toEqual({ uri: `https://${image}` });
      }
    },
  );

  it('unlocks a protected key with the passphrase named by --pgp-passphrase-env', async () => {
    const out = sandbox.path('protected');
    const made = await runSignet(
      ['keygen', '--name', 'CI', '--email', 'ci@example.com', '--out', out, '--passphrase-env', 'KEY_PASS'],
      { ...sandbox.env, KEY_PASS: 'correct horse' },
    );
    expect(made.code).toBe(0);
    const signed = await runSignet(
      ['sign', '--image', image, '--note', note, '--pgp-key', out, '--pgp-passphrase-env', 'KEY_PASS'],
      { ...sandbox.env, KEY_PASS: 'correct horse' },
    );
    expect(signed.code).toBe(0);
    expect(signed.stdout).toContain(`Signed https://${image}`);

    const wrong = await runSignet(
      ['sign', '--image', image, '--note', note, '--pgp-key', out, '--pgp-passphrase-env', 'KEY_PASS'],
      { ...sandbox.env, KEY_PASS: 'wrong' },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('the passphrase does not unlock --pgp-key');
    expectCleanError(wrong);

    const missing = await runSignet(
      ['sign', '--image', image, '--note', note, '--pgp-key', out],
      sandbox.env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is protected by a passphrase and none was given');
    expectCleanError(missing);
  });
});

describe('signet sign --gpg-user', () => {
  it("signs with the user's own GnuPG keyring, naming the key's fingerprint", async () => {
    const fingerprint = gpgGenerateKey(sandbox, 'Release Engineer <release@example.com>');
    const occurrence = await signJson(['--gpg-user', 'release@example.com'], 'v1beta1');
    const { signature, keyId } = signatureOf(occurrence);
    expect(keyId).toBe(fingerprint);
    expect(gpgVerify(signature).equals(payload)).toBe(true);
  });

  it('says which key gpg lacks, with exit 2', async () => {
    const run = await runSignet(
      ['sign', '--image', image, '--note', note, '--gpg-user', 'nobody@example.com'],
      sandbox.env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no usable secret key for "nobody@example.com"');
    expectCleanError(run);
  });
});

describe('signet sign --pkix-key', () => {
  function opensslVerify(args: string[], publicKey: string, signature: Buffer, data: Buffer): string {
    const sig = sandbox.write('pkix.sig', signature);
    const content = sandbox.write('pkix.payload', data);
    return execFileSync('openssl', [
      'dgst',
      ...args,
      '-verify',
      publicKey,
      '-signature',
      sig,
      content,
    ]).toString();
  }

  it('makes an ECDSA P-256 signature that openssl dgst -verify accepts', async () => {
    const occurrence = await signJson([
      '--pkix-key',
      join(kritisSigner, 'ec_private.pem'),
      '--pkix-algorithm',
      'ECDSA_P256_SHA256',
    ]);
    const { signature, keyId, payload: serialized } = signatureOf(occurrence);
    expect(keyId).toMatch(/^ni:\/\/\/sha-256;[A-Za-z0-9_-]{43}$/);
    expect(serialized?.equals(payload)).toBe(true);
    expect(opensslVerify(['-sha256'], join(kritisSigner, 'ec_public.pem'), signature, payload)).toBe(
      'Verified OK\n',
    );
  });

  it('makes RSA PKCS#1 and PSS signatures that openssl accepts (v1beta1 genericSignedAttestation)', async () => {
    const key = sandbox.path('rsa.pem');
    const pub = sandbox.path('rsa.pub.pem');
    execFileSync(
      'openssl',
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key],
      { stdio: 'ignore' },
    );
    execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', pub]);
    const pkcs1 = signatureOf(
      await signJson(['--pkix-key', key, '--pkix-algorithm', 'RSA_SIGN_PKCS1_2048_SHA256'], 'v1beta1'),
    );
    expect(opensslVerify(['-sha256'], pub, pkcs1.signature, payload)).toBe('Verified OK\n');
    const pss = signatureOf(
      await signJson(['--pkix-key', key, '--pkix-algorithm', 'RSA_SIGN_PSS_2048_SHA256']),
    );
    const pssArgs = ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:-1'];
    expect(opensslVerify(pssArgs, pub, pss.signature, payload)).toBe('Verified OK\n');
  });

  it('refuses an algorithm that does not fit the key, with exit 2', async () => {
    const run = await runSignet(
      [
        'sign',
        '--image',
        image,
        '--note',
        note,
        '--pkix-key',
        join(kritisSigner, 'ec_private.pem'),
        '--pkix-algorithm',
        'RSA_SIGN_PKCS1_2048_SHA256',
      ],
      sandbox.env,
    );
    expect(run.code).toBe(2);
    expectCleanError(run);
  });
});
