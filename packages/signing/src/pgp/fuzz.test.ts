import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { unarmor } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { SigningError } from '../signing-error.js';
import { generatePgpKey } from './generate.js';
import { type PgpPublicKey, readPgpPublicKeys } from './keys.js';
import { signPgpAttached } from './sign.js';
import { verifyPgpAttached, verifyPgpDetached } from './verify.js';

const RUNS = 200;
const vectors = join(process.env.SIGNET_TESTDATA!, 'containers-image');
const NOW = new Date('2026-11-28T00:00:00Z');
const payload = new TextEncoder().encode('{"critical":{"type":"atomic container signature"},"optional":{}}');

/** Resolves to the value, or to the error if it is a SigningError; anything else fails the property. */
async function settle<T>(promise: Promise<T>): Promise<T | SigningError> {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof SigningError)) throw new Error(`not a SigningError: ${String(error)}`);
    expect(error.code).toMatch(/^PGP_[A-Z_]+$/);
    return error;
  }
}

async function dearmor(text: string): Promise<Uint8Array> {
  const { data } = await unarmor(text);
  return data as Uint8Array;
}

/** A valid input with a few bytes changed, bytes cut off the end, or bytes inserted. */
function mutated(valid: Uint8Array) {
  const flip = fc
    .array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    })
    .map((changes) => {
      const copy = valid.slice();
      for (const [at, xor] of changes) copy.set([copy[at]! ^ xor], at);
      return copy;
    });
  const truncate = fc.nat({ max: valid.length - 1 }).map((length) => valid.slice(0, length));
  const insert = fc
    .tuple(fc.nat({ max: valid.length }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
    .map(([at, bytes]) => new Uint8Array([...valid.slice(0, at), ...bytes, ...valid.slice(at)]));
  return fc.oneof(flip, truncate, insert);
}

let keys: PgpPublicKey[];
let edAttached: Uint8Array;
let edDetachedArmored: string;
let rsaAttached: Uint8Array;
let rsaKeys: PgpPublicKey[];
let rsaKeyBytes: Uint8Array;

beforeAll(async () => {
  const key = await generatePgpKey({ name: 'Fuzz', email: 'fuzz@example.com' });
  keys = await readPgpPublicKeys(key.publicKey);
  edAttached = await dearmor((await signPgpAttached(payload, key.privateKey)).signature);
  const { sign, createMessage, readPrivateKey } = await import('openpgp');
  edDetachedArmored = await sign({
    message: await createMessage({ binary: payload }),
    signingKeys: await readPrivateKey({ armoredKey: key.privateKey }),
    detached: true,
  });
  rsaAttached = new Uint8Array(readFileSync(join(vectors, 'image.signature')));
  rsaKeyBytes = new Uint8Array(readFileSync(join(vectors, 'public-key-1.gpg')));
  rsaKeys = await readPgpPublicKeys(rsaKeyBytes);
});

describe('property: no input makes the OpenPGP code throw anything but SigningError', () => {
  it('the unmutated inputs verify (the properties below start from valid data)', async () => {
    expect((await verifyPgpAttached(edAttached, keys)).payload).toEqual(payload);
    expect((await verifyPgpDetached(payload, edDetachedArmored, keys)).keyFingerprint).toBe(
      keys[0]!.fingerprint,
    );
    expect((await verifyPgpAttached(rsaAttached, rsaKeys, { now: NOW })).primaryFingerprint).toBe(
      rsaKeys[0]!.fingerprint,
    );
  });

  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        await settle(verifyPgpAttached(bytes, keys));
        await settle(verifyPgpDetached(payload, bytes, keys));
        await settle(readPgpPublicKeys(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('random strings, bare, base64, and inside armor headers', async () => {
    const body = fc.oneof(fc.string({ maxLength: 300 }), fc.base64String({ maxLength: 400 }));
    const text = fc.oneof(
      body,
      body.map((b) => `-----BEGIN PGP MESSAGE-----\n\n${b}\n-----END PGP MESSAGE-----\n`),
      body.map((b) => `-----BEGIN PGP SIGNATURE-----\n\n${b}\n-----END PGP SIGNATURE-----\n`),
      body.map((b) => `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${b}\n-----END PGP PUBLIC KEY BLOCK-----\n`),
      body.map((b) => `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${b}\n`),
    );
    await fc.assert(
      fc.asyncProperty(text, async (input) => {
        await settle(verifyPgpAttached(input, keys));
        await settle(verifyPgpDetached(payload, input, keys));
        await settle(readPgpPublicKeys(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated Ed25519 attached signatures: typed error, or the exact original payload', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(edAttached), async (bytes) => {
        const outcome = await settle(verifyPgpAttached(bytes, keys));
        if (!(outcome instanceof SigningError)) expect(outcome.payload).toEqual(payload);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated gpg RSA attached signatures (compressed): typed error, or the exact original payload', async () => {
    const original = (await verifyPgpAttached(rsaAttached, rsaKeys, { now: NOW })).payload;
    await fc.assert(
      fc.asyncProperty(mutated(rsaAttached), async (bytes) => {
        const outcome = await settle(verifyPgpAttached(bytes, rsaKeys, { now: NOW }));
        if (!(outcome instanceof SigningError)) expect(outcome.payload).toEqual(original);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated detached signatures, and mutated data under a valid one', async () => {
    const detached = await dearmor(edDetachedArmored);
    await fc.assert(
      fc.asyncProperty(mutated(detached), mutated(payload), async (signature, data) => {
        await settle(verifyPgpDetached(payload, signature, keys));
        const outcome = await settle(verifyPgpDetached(data, detached, keys));
        expect(outcome).toBeInstanceOf(SigningError);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated armored text of a signature', async () => {
    const armored = (
      await signPgpAttached(payload, (await generatePgpKey({ name: 'A', email: 'a@example.com' })).privateKey)
    ).signature;
    const text = new TextEncoder().encode(armored);
    await fc.assert(
      fc.asyncProperty(mutated(text), async (bytes) => {
        await settle(verifyPgpAttached(Buffer.from(bytes).toString('latin1'), keys));
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated keys: typed error, and any key that still reads never verifies another payload', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(rsaKeyBytes), async (bytes) => {
        const read = await settle(readPgpPublicKeys(bytes));
        if (read instanceof SigningError) return;
        const outcome = await settle(verifyPgpAttached(rsaAttached, read, { now: NOW }));
        if (!(outcome instanceof SigningError))
          expect(outcome.primaryFingerprint).toBe(rsaKeys[0]!.fingerprint);
      }),
      { numRuns: RUNS },
    );
  });
});
