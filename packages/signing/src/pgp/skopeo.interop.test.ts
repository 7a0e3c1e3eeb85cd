import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { unarmor } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPayload, parsePayload } from '../payload.js';
import { GpgHome } from '../test-support/gpg.js';
import { readPgpPublicKeys } from './keys.js';
import { signPgpAttached } from './sign.js';
import { verifyPgpAttached } from './verify.js';

// Runs under `pnpm test:interop` only. A machine without skopeo fails here, on purpose.

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: `sha256:${'a'.repeat(64)}`,
    size: 2,
  },
  layers: [],
});
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const REFERENCE = 'registry.example/team/app';

function skopeo(gpg: GpgHome, args: string[]) {
  const result = spawnSync('skopeo', args, { env: { ...process.env, GNUPGHOME: gpg.dir }, encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'skopeo is not installed: install it (Debian: `apt-get install -y skopeo`) to run the interop suite',
    );
  }
  if (result.error) throw result.error;
  return result;
}

describe.each([
  ['Ed25519', 'ed25519'],
  ['RSA-3072', 'rsa3072'],
])('skopeo with a gpg %s key', (_label, algo) => {
  let gpg: GpgHome;
  let fingerprint: string;
  let manifestPath: string;

  beforeAll(() => {
    gpg = new GpgHome();
    fingerprint = gpg.generate(`Skopeo ${algo} <skopeo-${algo}@example.com>`, algo, 'sign');
    manifestPath = gpg.writeFile('manifest.json', MANIFEST);
  });
  afterAll(() => gpg.close());

  it('skopeo is installed', () => {
    const version = skopeo(gpg, ['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^skopeo version \d/);
  });

  it('a `skopeo standalone-sign` signature verifies here and its payload bytes are returned', async () => {
    const out = `${gpg.dir}/skopeo.sig`;
    const signed = skopeo(gpg, ['standalone-sign', manifestPath, `${REFERENCE}:v1`, fingerprint, '-o', out]);
    expect(signed.status, signed.stderr).toBe(0);
    const keys = await readPgpPublicKeys(gpg.exportPublic(fingerprint));
    const result = await verifyPgpAttached(new Uint8Array(readFileSync(out)), keys);
    expect(result.primaryFingerprint).toBe(fingerprint);
    const parsed = parsePayload(result.payload);
    expect(parsed.dockerReference).toBe(`${REFERENCE}:v1`);
    expect(parsed.manifestDigest).toBe(DIGEST);
    expect(parsed.type).toBe('atomic container signature');
  });

  it('a payload built here and signed by signPgpAttached passes `skopeo standalone-verify` (armored and binary)', async () => {
    const payload = buildPayload({ name: REFERENCE, digest: DIGEST }, { creator: 'signet interop test' });
    const { signature, keyFingerprint } = await signPgpAttached(payload, gpg.exportSecret(fingerprint));
    expect(keyFingerprint).toBe(fingerprint);
    const binary = (await unarmor(signature)).data as Uint8Array;
    for (const [name, data] of [
      ['ours.asc', signature],
      ['ours.sig', binary],
    ] as const) {
      const path = gpg.writeFile(name, data);
      const verified = skopeo(gpg, ['standalone-verify', manifestPath, REFERENCE, fingerprint, path]);
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toContain(`Signature verified, digest ${DIGEST}`);
    }
  });

  it('skopeo refuses our signature for another manifest digest (the check above can fail)', async () => {
    const payload = buildPayload({ name: REFERENCE, digest: `sha256:${'0'.repeat(64)}` });
    const { signature } = await signPgpAttached(payload, gpg.exportSecret(fingerprint));
    const path = gpg.writeFile('other.asc', signature);
    const verified = skopeo(gpg, ['standalone-verify', manifestPath, REFERENCE, fingerprint, path]);
    expect(verified.status).not.toBe(0);
    expect(verified.stderr).toMatch(/digest/i);
  });
});
