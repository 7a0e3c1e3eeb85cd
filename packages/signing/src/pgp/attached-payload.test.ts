import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../test-support/gpg.js';
import { armoredPgpSignatureOf, pgpSignedPayload } from './attached-payload.js';

const PAYLOAD =
  '{"critical":{"identity":{"docker-reference":"gcr.io/p/app"},"type":"atomic container signature"}}';
let gpg: GpgHome;
let payloadFile: string;

beforeAll(() => {
  gpg = new GpgHome();
  gpg.generate('Literal Test <literal@example.com>', 'ed25519', 'sign', '1d');
  // Signed as a file, as users do: the literal data packet then carries its name.
  payloadFile = gpg.writeFile('payload.json', PAYLOAD);
});

afterAll(() => gpg.close());

describe('the payload of an attached signature made by GnuPG', () => {
  for (const algo of ['default', 'none', 'zip', 'zlib']) {
    it(`gpg --armor --sign (compression ${algo}): armored, and base64 of the armor`, async () => {
      const compression = algo === 'default' ? [] : ['--compress-algo', algo];
      const armored = gpg.ok([...compression, '--armor', '--output', '-', '--sign', payloadFile]).toString();
      expect(Buffer.from(pgpSignedPayload(armored) ?? []).toString()).toBe(PAYLOAD);
      const base64 = Buffer.from(armored).toString('base64');
      expect(armoredPgpSignatureOf(base64)).toBe(armored);
      expect(Buffer.from(pgpSignedPayload(base64) ?? []).toString()).toBe(PAYLOAD);
    });
  }

  it('binary gpg --sign, as base64', async () => {
    const binary = gpg.ok(['--output', '-', '--sign', payloadFile]);
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
