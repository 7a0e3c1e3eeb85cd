import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from './test-support/run-signet.js';
import { createSandbox, gpgGenerateKey, type Sandbox, testDigest } from './test-support/sandbox.js';
import { type StoreKind, type StoreUnderTest, startStore } from './test-support/stores.js';

/**
 * The user's guide, with signet in place of hand-written JSON and curl: sign `signet payload`'s bytes
 * with `gpg -u USER -a --sign`, upload with `signet attach`, then `signet verify` against an
 * AttestationAuthority written as the guide writes it (`publicKeyData: $(base64 -w0 key.pub)`).
 */
const execFileAsync = promisify(execFile);
const image = `gcr.io/my-proj/app@${testDigest}`;
const otherImage = `gcr.io/my-proj/app@sha256:${'cd'.repeat(32)}`;
const stores: StoreKind[] = ['embedded', 'emulator-v1beta1', 'emulator-v1', 'oss-grafeas'];

describe.each(stores)('the guide flow on %s', (kind) => {
  let sandbox: Sandbox;
  let store: StoreUnderTest;
  let fingerprint: string;
  let authority: string;
  const signet = (args: string[]) => runSignet([...store.flags, ...args], sandbox.env);
  /** `signet attach` of `signature` over `target` under the qa-attestor note, then any further flags. */
  const attach = (target: string, signature: string, keyId: string, ...more: string[]) =>
    signet([
      'attach',
      '--image',
      target,
      '--note',
      'projects/attestors/notes/qa-attestor',
      '--signature',
      signature,
      '--pgp-key-id',
      keyId,
      ...more,
    ]);
  const verify = (target: string) => signet(['verify', '--image', target, '--authority', authority]);

  beforeAll(async () => {
    sandbox = createSandbox();
    store = await startStore(kind);
    fingerprint = gpgGenerateKey(sandbox, 'Release Engineer <release@example.com>');
    const publicKey = sandbox.write('key.pub', sandbox.gpg(['--armor', '--export', fingerprint]));
    const publicKeyData = execFileSync('base64', ['-w0', publicKey]).toString();
    authority = sandbox.write(
      'authority.yaml',
      [
        'apiVersion: kritis.grafeas.io/v1beta1',
        'kind: AttestationAuthority',
        'metadata:',
        '  name: qa-attestor',
        '  namespace: default',
        'spec:',
        '  noteReference: projects/attestors',
        `  publicKeyData: ${publicKeyData}`,
        '',
      ].join('\n'),
    );
    expect(
      (await signet(['note', 'create', '--project', 'attestors', '--note-id', 'qa-attestor'])).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await store.emulator?.close();
    sandbox.cleanup();
  });

  /** `signet payload > payload.json; gpg -u USER -a --sign payload.json` (or binary without -a). */
  async function gpgSignPayload(target: string, armor = true): Promise<string> {
    const payload = await signet(['payload', '--image', target]);
    expect(payload.code).toBe(0);
    const file = sandbox.write(`payload-${armor}-${target.slice(-6)}.json`, payload.stdoutBytes);
    const out = `${file}.${armor ? 'asc' : 'gpg'}`;
    sandbox.gpg(['-u', 'release@example.com', ...(armor ? ['-a'] : []), '--output', out, '--sign', file]);
    return out;
  }

  it('attaches a gpg-made signature and verifies the image: exit 0', async () => {
    const signature = await gpgSignPayload(image);
    const attached = await attach(image, signature, fingerprint);
    expect(attached.stderr).toBe('');
    expect(attached.code).toBe(0);
    expect(attached.stdout).toContain(`Attached the signature of ${fingerprint} to https://${image}`);

    const verified = await verify(image);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`ATTESTED: https://${image}`);
    expect(verified.stdout).toContain(
      `ok   AttestationAuthority qa-attestor (note projects/attestors/notes/qa-attestor)`,
    );
  });

  it('says an image nobody signed is not attested: exit 1, with the fix', async () => {
    const verified = await signet([
      '--output',
      'json',
      'verify',
      '--image',
      otherImage,
      '--authority',
      authority,
    ]);
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      attested: false,
      authorities: [{ authority: 'qa-attestor', attested: false, attestations: 0 }],
    });
    const text = await verify(otherImage);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('FAIL AttestationAuthority qa-attestor');
    expect(text.stdout).toContain('no attestation for this image');
  });

  it('refuses to attach a signature over another image: exit 2, nothing uploaded', async () => {
    const signature = await gpgSignPayload(otherImage);
    const attached = await attach(image, signature, fingerprint);
    expect(attached.code).toBe(2);
    expect(attached.stderr).toContain(`the signed payload is for digest sha256:${'cd'.repeat(32)}`);
    expectCleanError(attached);
    const verified = await verify(otherImage);
    expect(verified.code).toBe(1);
  });

  if (kind === 'embedded' || kind === 'emulator-v1') {
    it('takes a binary (unarmored) signature and a --public-key file as well', async () => {
      const target = `gcr.io/my-proj/bin@${testDigest}`;
      const signature = await gpgSignPayload(target, false);
      const attached = await attach(
        target,
        signature,
        `openpgp4fpr:${fingerprint.toLowerCase()}`,
        '--public-key',
        sandbox.path('key.pub'),
      );
      expect(attached.stderr).toBe('');
      expect(attached.code).toBe(0);
      const verified = await verify(target);
      expect(verified.code).toBe(0);
    });
  }
});

describe('the guide flow by hand: gpg then curl to the emulator (v1beta1)', () => {
  let sandbox: Sandbox;
  let store: StoreUnderTest;

  beforeAll(async () => {
    sandbox = createSandbox();
    store = await startStore('emulator-v1beta1');
  });
  afterAll(async () => {
    await store.emulator?.close();
    sandbox.cleanup();
  });

  it('verifies an attestation uploaded with curl as pgpSignedAttestation', async () => {
    const fingerprint = gpgGenerateKey(sandbox, 'Manual <manual@example.com>');
    const url = store.emulator?.url ?? '';
    // Asynchronous: the emulator answers from this very process.
    const curl = (path: string, body: unknown) =>
      execFileAsync('curl', [
        '-sS',
        '--fail-with-body',
        '-X',
        'POST',
        '-H',
        'Authorization: Bearer not-checked',
        '-H',
        'Content-Type: application/json',
        `${url}${path}`,
        '--data-binary',
        JSON.stringify(body),
      ]);
    await curl('/v1beta1/projects/attestors/notes?noteId=manual', {
      attestationAuthority: { hint: { humanReadableName: 'manual' } },
    });
    const payload = (await runSignet(['payload', '--image', image], sandbox.env)).stdoutBytes;
    const signature = sandbox.gpg(['-u', 'manual@example.com', '-a', '--sign'], payload).toString();
    await curl('/v1beta1/projects/attestors/occurrences', {
      resource: { uri: `https://${image}` },
      noteName: 'projects/attestors/notes/manual',
      attestation: {
        attestation: {
          pgpSignedAttestation: { signature, contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: fingerprint },
        },
      },
    });
    const publicKeyData = sandbox.gpg(['--armor', '--export', fingerprint]).toString('base64');
    const authority = sandbox.write(
      'manual.yaml',
      `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: manual\nspec:\n  noteReference: projects/attestors\n  publicKeyData: ${publicKeyData}\n`,
    );
    const verified = await runSignet(
      [...store.flags, 'verify', '--image', image, '--authority', authority],
      sandbox.env,
    );
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(readFileSync(authority, 'utf8')).toContain('noteReference: projects/attestors');
  });
});
