import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armoredPgpSignatureOf, pgpSignedPayload } from './attached-payload.js';

const run = promisify(execFile);
const PAYLOAD =
  '{"critical":{"identity":{"docker-reference":"gcr.io/p/app"},"type":"atomic container signature"}}';
let dir: string;

async function gpg(...args: string[]): Promise<void> {
  await run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
    env: { ...process.env, GNUPGHOME: join(dir, 'gnupg') },
    cwd: dir,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signet-pgp-'));
  await mkdir(join(dir, 'gnupg'), { mode: 0o700 });
  await gpg('--quick-gen-key', 'Literal Test <literal@example.com>', 'ed25519', 'sign', '1d');
  await writeFile(join(dir, 'payload.json'), PAYLOAD);
});

afterAll(async () => {
  await run('gpgconf', ['--homedir', join(dir, 'gnupg'), '--kill', 'all']).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('the payload of an attached signature made by GnuPG', () => {
  for (const algo of ['default', 'none', 'zip', 'zlib']) {
    it(`gpg --armor --sign (compression ${algo}): armored, and base64 of the armor`, async () => {
      const out = `sig-${algo}.asc`;
      await gpg(
        ...(algo === 'default' ? [] : ['--compress-algo', algo]),
        '--armor',
        '--output',
        out,
        '--sign',
        'payload.json',
      );
      const armored = await readFile(join(dir, out), 'utf8');
      expect(Buffer.from(pgpSignedPayload(armored) ?? []).toString()).toBe(PAYLOAD);
      const base64 = Buffer.from(armored).toString('base64');
      expect(armoredPgpSignatureOf(base64)).toBe(armored);
      expect(Buffer.from(pgpSignedPayload(base64) ?? []).toString()).toBe(PAYLOAD);
    });
  }

  it('binary gpg --sign, as base64', async () => {
    await gpg('--output', 'sig.gpg', '--sign', 'payload.json');
    const binary = await readFile(join(dir, 'sig.gpg'));
    expect(Buffer.from(pgpSignedPayload(binary.toString('base64')) ?? []).toString()).toBe(PAYLOAD);
  });

  it("containers/image's image.signature (old-format packets)", async () => {
    const binary = await readFile(join(process.env.SIGNET_TESTDATA!, 'containers-image', 'image.signature'));
    const payload = JSON.parse(Buffer.from(pgpSignedPayload(binary.toString('base64')) ?? []).toString());
    expect(payload.critical.identity['docker-reference']).toBe('testing/manifest');
    expect(payload.critical.image['docker-manifest-digest']).toBe(
      'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55',
    );
  });
});

describe('anything else yields undefined, never an exception', () => {
  it('on plain text, broken armor and random bytes', () => {
    expect(pgpSignedPayload('not a signature')).toBeUndefined();
    expect(
      pgpSignedPayload('-----BEGIN PGP MESSAGE-----\n\n!!!!\n-----END PGP MESSAGE-----\n'),
    ).toBeUndefined();
    expect(armoredPgpSignatureOf('bm90IGFybW9y')).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = pgpSignedPayload(Buffer.from(bytes).toString('base64'));
        expect(result === undefined || result instanceof Uint8Array).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
