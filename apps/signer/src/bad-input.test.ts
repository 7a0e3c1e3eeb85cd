import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet, type SignetRun } from './test-support/run-signet.js';
import { createSandbox, gpgGenerateKey, type Sandbox, testDigest } from './test-support/sandbox.js';

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const image = `gcr.io/p/app@${testDigest}`;
const note = 'projects/p/notes/n';
/** Nothing listens on port 1 of the loopback interface: connection refused. */
const unreachable = ['--store', 'grafeas:http://127.0.0.1:1'];
const noteCreate = ['note', 'create', '--project', 'p', '--note-id', 'n'];

let sandbox: Sandbox;
let fingerprint: string;
const signet = (args: string[], env: NodeJS.ProcessEnv = {}) => runSignet(args, { ...sandbox.env, ...env });
/** `signet sign` of the test image under the test note, with the key flags given. */
const sign = (...keyFlags: string[]) => signet(['sign', '--image', image, '--note', note, ...keyFlags]);
/** `signet attach` of the test image under the test note, then any further flags. */
const attach = (signature: string, keyId: string, ...more: string[]) =>
  signet([
    'attach',
    '--image',
    image,
    '--note',
    note,
    '--signature',
    signature,
    '--pgp-key-id',
    keyId,
    ...more,
  ]);
const kritisPrivateKey = join(kritisSigner, 'private.key');
const kritisEcKey = join(kritisSigner, 'ec_private.pem');

function expectFailure(run: SignetRun, code: number, text: string): void {
  expect(run.stderr).toContain(text);
  expect(run.code).toBe(code);
  expectCleanError(run);
}

beforeAll(async () => {
  sandbox = createSandbox();
  fingerprint = gpgGenerateKey(sandbox, 'Someone <someone@example.com>');
  expect((await signet(noteCreate)).code).toBe(0);
});
afterAll(() => sandbox.cleanup());

describe('missing and unusable files: exit 2', () => {
  it('names a --pgp-key that does not exist', async () => {
    const run = await sign('--pgp-key', sandbox.path('missing.asc'));
    expectFailure(run, 2, `--pgp-key ${sandbox.path('missing.asc')} does not exist`);
  });

  it('refuses a --pgp-key that holds no private key', async () => {
    const garbage = sandbox.write('garbage.asc', 'not a key\n');
    expectFailure(await sign('--pgp-key', garbage), 2, 'holds no armored OpenPGP private key');
    const publicOnly = join(kritisSigner, 'public.key');
    expectFailure(await sign('--pgp-key', publicOnly), 2, 'holds no armored OpenPGP private key');
  });

  it('refuses a corrupt armored private key', async () => {
    const corrupt = sandbox.write(
      'corrupt.asc',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAAthisisnotakey\n=AAAA\n-----END PGP PRIVATE KEY BLOCK-----\n',
    );
    const run = await sign('--pgp-key', corrupt);
    expect(run.code).toBe(2);
    expectCleanError(run);
  });

  it('refuses a PKIX key file that is not PEM, and a folder given as a key', async () => {
    const garbage = sandbox.write('garbage.pem', 'nope');
    const run = await sign('--pkix-key', garbage, '--pkix-algorithm', 'ECDSA_P256_SHA256');
    expectFailure(run, 2, 'invalid PKIX key');
    const folder = await sign('--pkix-key', sandbox.dir, '--pkix-algorithm', 'ECDSA_P256_SHA256');
    expectFailure(folder, 2, 'is a folder, not a file');
  });

  it('refuses an unknown PKIX algorithm', async () => {
    const run = await sign('--pkix-key', kritisEcKey, '--pkix-algorithm', 'ECDSA_P256_MD5');
    expect(run.code).toBe(2);
    expectCleanError(run);
  });

  it('names a --signature, --public-key and --authority that do not exist', async () => {
    const missingSignature = await attach(sandbox.path('sig.asc'), fingerprint);
    expectFailure(missingSignature, 2, `--signature ${sandbox.path('sig.asc')} does not exist`);
    const signature = sandbox.write('sig.asc', sandbox.gpg(['-u', fingerprint, '-a', '--sign'], 'x'));
    const publicKey = await attach(signature, fingerprint, '--public-key', sandbox.path('k.pub'));
    expectFailure(publicKey, 2, `--public-key ${sandbox.path('k.pub')} does not exist`);
    const verify = await signet(['verify', '--image', image, '--authority', sandbox.path('auth.yaml')]);
    expectFailure(verify, 2, `--authority ${sandbox.path('auth.yaml')} does not exist`);
  });

  it('refuses a signature file that is not an OpenPGP message', async () => {
    const garbage = sandbox.write('garbage.sig', 'hello');
    const run = await attach(garbage, fingerprint);
    expect(run.code).toBe(2);
    expectCleanError(run);
  });

  it('refuses an AttestationAuthority with a typo, naming the field', async () => {
    const typo = sandbox.write(
      'typo.yaml',
      'apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: a\nspec:\n  noteReference: projects/p\n  publicKeyDate: abc\n',
    );
    const run = await signet(['verify', '--image', image, '--authority', typo]);
    expectFailure(run, 2, 'publicKeyDate');
  });
});

describe('keys and ids that do not match: exit 2', () => {
  it('refuses a --pgp-key-id the key does not have', async () => {
    const payload = (await signet(['payload', '--image', image])).stdoutBytes;
    const signature = sandbox.write('good.asc', sandbox.gpg(['-u', fingerprint, '-a', '--sign'], payload));
    const wrongId = 'A'.repeat(40);
    const run = await attach(signature, wrongId);
    expectFailure(run, 2, `your GnuPG keyring has no public key ${wrongId}`);
    const withKey = await attach(signature, wrongId, '--public-key', join(kritisSigner, 'public.key'));
    expectFailure(withKey, 2, `the public key given has no signing key ${wrongId}`);
  });

  it('refuses a signature made by another key than --pgp-key-id', async () => {
    const other = gpgGenerateKey(sandbox, 'Other <other@example.com>');
    const payload = (await signet(['payload', '--image', image])).stdoutBytes;
    const signature = sandbox.write('other.asc', sandbox.gpg(['-u', other, '-a', '--sign'], payload));
    const run = await attach(signature, fingerprint);
    expect(run.code).toBe(2);
    expectCleanError(run);
  });
});

describe('flags: exit 2', () => {
  it('asks for exactly one key source', async () => {
    expectFailure(await sign(), 2, 'no signing key was given');
    const both = await sign('--pgp-key', 'a', '--gpg-user', 'b');
    expectFailure(both, 2, "option '--pgp-key <file>' cannot be used with option '--gpg-user <uid>'");
  });

  it('names an unset --pgp-passphrase-env variable', async () => {
    const run = await sign('--pgp-key', kritisPrivateKey, '--pgp-passphrase-env', 'NOT_SET_ANYWHERE');
    expectFailure(run, 2, 'NOT_SET_ANYWHERE, but that environment variable is not set');
  });

  it('asks --pkix-key for its algorithm', async () => {
    const run = await sign('--pkix-key', kritisEcKey);
    expectFailure(run, 2, '--pkix-key needs --pkix-algorithm');
  });

  it('refuses a note name and ids that are not Grafeas names', async () => {
    const run = await signet(['sign', '--image', image, '--note', 'notes/n', '--pgp-key', kritisPrivateKey]);
    expectFailure(run, 2, '--note notes/n is not a note name');
    expectFailure(
      await signet(['note', 'create', '--project', 'p', '--note-id', 'a/b']),
      2,
      '--note-id "a/b" is not a valid id',
    );
  });

  it('reads a UTF-16 policy file with a byte-order mark, and refuses one in another encoding', async () => {
    const strict = readFileSync(join(kritisSigner, 'policy_strict.yaml'), 'utf8');
    const utf16 = sandbox.path('policy-utf16.yaml');
    writeFileSync(utf16, Buffer.from(`\ufeff${strict}`, 'utf16le'));
    // Read and understood: the check goes on to the (unreachable) store.
    const read = await signet([...unreachable, 'check', '--image', image, '--policy', utf16]);
    expectFailure(read, 3, 'cannot reach http://127.0.0.1:1');
    const latin1 = sandbox.path('policy-latin1.yaml');
    writeFileSync(latin1, Buffer.from(`# résumé\n${strict}`, 'latin1'));
    const refused = await signet([...unreachable, 'check', '--image', image, '--policy', latin1]);
    expectFailure(refused, 2, `--policy ${latin1} cannot be read as text: it is not UTF-8`);
    expect(refused.stderr).toContain('save it as UTF-8');
  });

  it('refuses a --wait that is not a duration', async () => {
    const policy = join(kritisSigner, 'policy_strict.yaml');
    expectFailure(
      await signet(['check', '--image', image, '--policy', policy, '--wait', 'soon']),
      2,
      '--wait soon is not a duration',
    );
  });

  it('says how to create a note that does not exist', async () => {
    const run = await signet([
      'sign',
      '--image',
      image,
      '--note',
      'projects/p/notes/absent',
      '--pgp-key',
      kritisPrivateKey,
    ]);
    expectFailure(run, 2, 'signet note create --project p --note-id absent');
  });

  it('refuses a store URL of an unknown kind', async () => {
    const run = await signet(['--store', 'mysql://db', ...noteCreate]);
    expectFailure(run, 2, 'unknown kind of store');
  });
});

describe('an unreachable store: exit 3', () => {
  it.each([
    ['note create', noteCreate],
    ['sign', ['sign', '--image', image, '--note', note, '--pgp-key', kritisPrivateKey]],
    ['check', ['check', '--image', image, '--policy', join(kritisSigner, 'policy_strict.yaml')]],
  ])('%s names the backend and says to check it', async (_name, args) => {
    const run = await signet([...unreachable, ...args]);
    expectFailure(run, 3, 'cannot reach http://127.0.0.1:1');
    expect(run.stderr).toContain('check that the metadata backend is running and reachable');
  });

  it('fails over SIGNET_STORE too, and as JSON with --output json', async () => {
    const run = await signet(['--output', 'json', ...noteCreate], {
      SIGNET_STORE: 'grafeas:http://127.0.0.1:1',
    });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'GRAFEAS_UNAVAILABLE', exitCode: 3 } });
  });

  it('prints the stack trace only with SIGNET_DEBUG=1', async () => {
    const run = await signet([...unreachable, ...noteCreate], {
      SIGNET_DEBUG: '1',
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/\n\s+at .+:\d+/);
  });
});
