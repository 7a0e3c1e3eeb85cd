import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openMetadataStore } from '@signet/grafeas-client';
import { defaultStoreUrl } from '@signet/grafeas-client/defaults';
import { pkixHash, verifyPkix } from '@signet/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmsKeySource } from '../sign/kms/kms-key-source.js';
import {
  type CloudKmsStub,
  type KmsStubAlgorithm,
  startCloudKmsStub,
} from '../test-support/cloud-kms-stub.js';
import { signatureOf } from '../test-support/occurrence-json.js';
import { expectCleanError, runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';

interface RecordedCase {
  name: string;
  requests: { api: string; method: string; path: string; query: Record<string, string>; body: unknown }[];
}
const cases = readFileSync(join(process.env.SIGNET_TESTDATA ?? '', 'gcloud-528', 'cases.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RecordedCase);

/** gcloud-528's fixed image, key version and note. */
const image =
  'us-docker.pkg.dev/demo-proj/repo/app@sha256:9f9973b643ba5081290f7aeb1c3d9eab309c464028339bc484880abdb8635d46';
const keyVersion = 'projects/demo-proj/locations/global/keyRings/kr1/cryptoKeys/k1/cryptoKeyVersions/1';
const note = 'projects/demo-proj/notes/n1';

let sandbox: Sandbox;
let kms: CloudKmsStub;
const signet = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runSignet(args, { ...sandbox.env, SIGNET_KMS_ENDPOINT: kms.url, ...env });
const signKms = (key: string, ...more: string[]) =>
  signet(['--output', 'json', 'sign', '--image', image, '--note', note, '--kms-key', key, ...more]);

beforeAll(async () => {
  sandbox = createSandbox();
  kms = await startCloudKmsStub();
  kms.addKey(keyVersion, 'EC_SIGN_P256_SHA256');
  expect((await signet(['note', 'create', '--project', 'demo-proj', '--note-id', 'n1'])).code).toBe(0);
});
afterAll(async () => {
  await kms.close();
  sandbox.cleanup();
});

describe('signet sign --kms-key', () => {
  it("sends gcloud sign-and-create's exact Cloud KMS requests and stores its attestation", async () => {
    kms.requests.length = 0;
    const run = await signKms(keyVersion, '--payload-form', 'gcloud');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const recorded = cases
      .find((c) => c.name === 'binauthz-beta-sign-and-create-note')
      ?.requests.filter((r) => r.api === 'cloudkms');
    expect(recorded).toHaveLength(2);
    // Same method, path and body (the digest of gcloud's payload, URL-safe base64 with padding); gcloud
    // also adds alt=json, which googleapis leaves to the server's default.
    expect(kms.requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual(
      recorded?.map(({ method, path, body }) => ({ method, path, body })),
    );
    const occurrence = JSON.parse(run.stdout) as Record<string, unknown>;
    const { keyId, signature, payload } = signatureOf(occurrence);
    expect(keyId).toBe(`//cloudkms.googleapis.com/v1/${keyVersion}`);
    const uploaded = cases.find((c) => c.name === 'binauthz-beta-sign-and-create-note')?.requests.at(-1)
      ?.body as {
      attestation: { serializedPayload: string };
    };
    expect(payload?.toString('base64')).toBe(uploaded.attestation.serializedPayload);
    const pem = publicKeyPem(keyVersion);
    expect(() =>
      verifyPkix(new Uint8Array(payload ?? []), new Uint8Array(signature), pem, 'EC_SIGN_P256_SHA256'),
    ).not.toThrow();
    expect(opensslVerifies(pem, 'sha256', payload ?? Buffer.alloc(0), signature)).toBe(true);
  });

  it('signs the default containers/image payload unless --payload-form gcloud is given', async () => {
    const run = await signKms(keyVersion);
    expect(run.code).toBe(0);
    const { payload } = signatureOf(JSON.parse(run.stdout));
    const expected = await signet(['payload', '--image', image]);
    expect(payload?.equals(expected.stdoutBytes)).toBe(true);
  });

  const algorithms: KmsStubAlgorithm[] = [
    'EC_SIGN_P256_SHA256',
    'EC_SIGN_P384_SHA384',
    'EC_SIGN_P521_SHA512',
    'RSA_SIGN_PSS_2048_SHA256',
    'RSA_SIGN_PSS_3072_SHA256',
    'RSA_SIGN_PSS_4096_SHA256',
    'RSA_SIGN_PSS_4096_SHA512',
    'RSA_SIGN_PKCS1_2048_SHA256',
    'RSA_SIGN_PKCS1_3072_SHA256',
    'RSA_SIGN_PKCS1_4096_SHA256',
    'RSA_SIGN_PKCS1_4096_SHA512',
  ];
  it.each(algorithms)(
    '%s: the digest the algorithm names, a signature openssl verifies',
    async (algorithm) => {
      const name = `projects/demo-proj/locations/us/keyRings/all/cryptoKeys/${algorithm.toLowerCase()}/cryptoKeyVersions/3`;
      kms.addKey(name, algorithm);
      kms.requests.length = 0;
      const source = await kmsKeySource(name, { rootUrl: kms.url });
      const payload = new TextEncoder().encode(`payload for ${algorithm}`);
      const made = await source.sign(payload);
      const hash = pkixHash(algorithm);
      const body = kms.requests[1]?.body as { digest?: object } | undefined;
      expect(Object.keys(body?.digest ?? {})).toEqual([hash]);
      expect(made).toMatchObject({ kind: 'pkix', keyId: `//cloudkms.googleapis.com/v1/${name}` });
      const signature = Buffer.from(made.kind === 'pkix' ? made.signature : []);
      const pss = algorithm.startsWith('RSA_SIGN_PSS')
        ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:-2']
        : [];
      expect(opensslVerifies(publicKeyPem(name), hash, Buffer.from(payload), signature, pss)).toBe(true);
    },
  );
});

describe('signet sign --kms-key: mistakes and failures', () => {
  it('a name that is not a key version: exit 2, the form and the gcloud command that lists them, no call', async () => {
    kms.requests.length = 0;
    for (const bad of ['projects/p/locations/global/keyRings/r/cryptoKeys/k', 'kr1/k1/1', 'projects/p/x']) {
      const run = await signKms(bad);
      expect(run.code).toBe(2);
      expectCleanError(run);
      expect(run.stderr).toContain('KMS');
      expect(run.stderr).toContain('cryptoKeyVersions/');
      expect(run.stderr).toContain('gcloud kms keys versions list');
    }
    expect(kms.requests).toEqual([]);
  });

  it('accepts the //cloudkms.googleapis.com/v1/ key id form an attestor lists', async () => {
    const run = await signKms(`//cloudkms.googleapis.com/v1/${keyVersion}`);
    expect(run.code).toBe(0);
    expect(signatureOf(JSON.parse(run.stdout)).keyId).toBe(`//cloudkms.googleapis.com/v1/${keyVersion}`);
  });

  it("a key version Cloud KMS does not have: exit 2, Google's message, how to list key versions", async () => {
    const run = await signKms(keyVersion.replace(/1$/, '9'));
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('HTTP 404 NOT_FOUND');
    expect(run.stderr).toContain(
      "Resource 'projects/demo-proj/locations/global/keyRings/kr1/cryptoKeys/k1/cryptoKeyVersions/9' was not found",
    );
    expect(run.stderr).toContain('gcloud kms keys versions list');
  });

  it('permission denied: exit 3, names the role to grant', async () => {
    const name = keyVersion.replace('k1', 'denied');
    kms.addKey(name, 'EC_SIGN_P256_SHA256').denied.add('asymmetricSign');
    const run = await signKms(name);
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toContain('PERMISSION_DENIED');
    expect(run.stderr).toContain('roles/cloudkms.signerVerifier');
  });

  it('a disabled key version: exit 2, FAILED_PRECONDITION and what to check', async () => {
    const name = keyVersion.replace('k1', 'disabled');
    kms.addKey(name, 'EC_SIGN_P256_SHA256').state = 'DISABLED';
    const run = await signKms(name);
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('is not enabled, current state is: DISABLED');
    expect(run.stderr).toContain('ENABLED');
  });

  it('an algorithm Binary Authorization does not accept: exit 2, the accepted ones, nothing signed', async () => {
    const name = keyVersion.replace('k1', 'secp256k1');
    kms.addKey(name, 'EC_SIGN_SECP256K1_SHA256');
    kms.requests.length = 0;
    const run = await signKms(name);
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('EC_SIGN_SECP256K1_SHA256');
    expect(run.stderr).toContain('EC_SIGN_P256_SHA256');
    expect(kms.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('a signature that does not verify with the public key is never stored: exit 3', async () => {
    const name = keyVersion.replace('k1', 'liar');
    kms.addKey(name, 'EC_SIGN_P384_SHA384').wrongSignature = true;
    const before = await listOccurrences();
    const run = await signKms(name);
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toContain('does not verify');
    expect(await listOccurrences()).toBe(before);
  });

  it('an unreachable endpoint: exit 3; a malformed one: exit 2', async () => {
    const down = await signKms(keyVersion, '--kms-endpoint', 'http://127.0.0.1:1/');
    expect(down.code).toBe(3);
    expectCleanError(down);
    expect(down.stderr).toContain('cannot reach Cloud KMS at http://127.0.0.1:1/');
    const malformed = await signKms(keyVersion, '--kms-endpoint', 'ftp://kms.example/');
    expect(malformed.code).toBe(2);
    expectCleanError(malformed);
  });

  it('no Application Default Credentials for a real endpoint: exit 3, how to log in', async () => {
    const noAdc = { METADATA_SERVER_DETECTION: 'none', GOOGLE_APPLICATION_CREDENTIALS: '' };
    const run = await signet(
      [
        'sign',
        '--image',
        image,
        '--note',
        note,
        '--kms-key',
        keyVersion,
        '--kms-endpoint',
        'http://kms.invalid/',
      ],
      noAdc,
    );
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toContain('gcloud auth application-default login');
  });

  it('--pkix-algorithm or a second key source with --kms-key: exit 2', async () => {
    const algorithm = await signKms(keyVersion, '--pkix-algorithm', 'ECDSA_P256_SHA256');
    expect(algorithm.code).toBe(2);
    expect(algorithm.stderr).toContain('Cloud KMS reports');
    const two = await signKms(keyVersion, '--gpg-user', 'someone');
    expect(two.code).toBe(2);
  });

  it('--help teaches the KMS flags, the credentials and the payload forms', async () => {
    const run = await signet(['sign', '--help']);
    expect(run.code).toBe(0);
    for (const text of [
      '--kms-key',
      '--kms-endpoint',
      '--payload-form',
      'roles/cloudkms.signerVerifier',
      'sign-and-create',
      'SIGNET_KMS_ENDPOINT',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it('loads only the Cloud KMS module of googleapis, never its entry point', async () => {
    const run = await signet(['sign', '--image', image, '--note', note, '--kms-key', keyVersion], {
      NODE_DEBUG: 'module',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('googleapis/build/src/apis/cloudkms/v1.js');
    expect(run.stderr).not.toContain('googleapis/build/src/index.js');
  });
});

function publicKeyPem(name: string): string {
  const key = kms.key(name);
  if (!key) throw new Error(`no stub key ${name}`);
  return key.publicKeyPem;
}

function opensslVerifies(
  pem: string,
  hash: string,
  payload: Buffer,
  signature: Buffer,
  options: string[] = [],
): boolean {
  const key = sandbox.write(`key-${Math.random().toString(36).slice(2)}.pem`, pem);
  const sig = sandbox.write(`sig-${Math.random().toString(36).slice(2)}`, signature);
  const data = sandbox.write(`data-${Math.random().toString(36).slice(2)}`, payload);
  try {
    execFileSync('openssl', ['dgst', `-${hash}`, '-verify', key, ...options, '-signature', sig, data], {
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  }
}

/** How many occurrences the sandbox's embedded store holds for the project. */
async function listOccurrences(): Promise<number> {
  const store = await openMetadataStore(defaultStoreUrl(sandbox.env));
  try {
    return (await store.listOccurrences('demo-proj')).items.length;
  } finally {
    await store.close();
  }
}
