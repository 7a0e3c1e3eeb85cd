import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { type Gcloud, gcloudAgainst } from '@signet/grafeas-emulator/gcloud';
import {
  attestWithGcloud,
  authorityYaml,
  type GcloudAttestations,
  policyYaml,
  recordedCases,
} from '@signet/grafeas-emulator/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinauthzStub } from './test-support/binauthz-stub.js';
import { type CloudKmsStub, startCloudKmsStub } from './test-support/cloud-kms-stub.js';
import type { RunningStub } from './test-support/google-stub-server.js';
import { signatureOf } from './test-support/occurrence-json.js';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

/**
 * gcloud 528 as a real client of Signet's world: it writes attestations into the emulator that
 * `signet verify` / `evaluate` must admit, lists what `signet sign` wrote, and signs with Cloud KMS
 * (a loopback stub with gcloud-528's wire shapes) as `signet sign --kms-key` does.
 */

const recorded = (name: string, api: string) =>
  (recordedCases().find((c) => c.name === name)?.requests ?? []).filter((r) => r.api === api);

const project = 'demo-proj';
const repository = 'us-docker.pkg.dev/demo-proj/repo/app';
const image = `${repository}@sha256:9f9973b643ba5081290f7aeb1c3d9eab309c464028339bc484880abdb8635d46`;
const otherImage = `${repository}@sha256:35ae67ade6f70f778b62947370877a23ec0289ac7be94705ce36e9b3e8f761b9`;
const keyVersion = 'projects/demo-proj/locations/global/keyRings/kr1/cryptoKeys/k1/cryptoKeyVersions/1';
const kmsKeyId = `//cloudkms.googleapis.com/v1/${keyVersion}`;
const attestor = 'projects/demo-proj/attestors/a1';
const keyVersionFlags = [
  '--keyversion-project=demo-proj',
  '--keyversion-location=global',
  '--keyversion-keyring=kr1',
  '--keyversion-key=k1',
  '--keyversion=1',
];

let sandbox: Sandbox;
let emulator: RunningEmulator;
let kms: CloudKmsStub;
let binauthz: RunningStub;
let gcloud: Gcloud;
let attested: GcloudAttestations;
const authority: Record<'pgp' | 'pkix' | 'kms', string> = { pgp: '', pkix: '', kms: '' };

const signet = (args: string[]) =>
  runSignet(['--store', `containeranalysis:${emulator.url}`, ...args], {
    ...sandbox.env,
    SIGNET_KMS_ENDPOINT: kms.url,
  });

/** A folder holding the authorities and a GenericAttestationPolicy that requires them. */
function policyFolder(name: string, names: (keyof typeof authority)[]): string {
  const dir = sandbox.path(name);
  mkdirSync(dir);
  for (const n of names) writeFileSync(join(dir, `${n}.yaml`), readFileSync(authority[n]));
  writeFileSync(join(dir, 'policy.yaml'), policyYaml(names));
  return dir;
}

function podManifest(target: string): string {
  return sandbox.write(
    `pod-${target.slice(-6)}.yaml`,
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: default\nspec:\n  containers:\n  - name: app\n    image: ${target}\n`,
  );
}

function opensslVerifies(pem: string, payload: Uint8Array, signature: Uint8Array): boolean {
  const id = Math.random().toString(36).slice(2);
  const args = ['dgst', '-sha256', '-verify', sandbox.write(`pub-${id}.pem`, pem)];
  args.push('-signature', sandbox.write(`sig-${id}`, signature), sandbox.write(`data-${id}`, payload));
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** gcloud prints bytes URL-safe: decode either alphabet. */
const bytesOf = (text: string) => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

beforeAll(async () => {
  sandbox = createSandbox();
  emulator = await startEmulator({ flavor: 'google' });
  kms = await startCloudKmsStub();
  const kmsKey = kms.addKey(keyVersion, 'EC_SIGN_P256_SHA256');
  binauthz = await startBinauthzStub([
    {
      name: attestor,
      noteReference: `projects/${project}/notes/kms`,
      publicKeys: [
        {
          id: kmsKeyId,
          pkixPublicKey: { publicKeyPem: kmsKey.publicKeyPem, signatureAlgorithm: 'EC_SIGN_P256_SHA256' },
        },
      ],
    },
  ]);
  gcloud = await gcloudAgainst({
    project,
    endpoints: { containeranalysis: emulator.url, binaryauthorization: binauthz.url, cloudkms: kms.url },
  });
  for (const id of ['pgp', 'pkix', 'kms']) {
    await emulator.store.createNote(project, id, { kind: 'ATTESTATION', humanReadableName: id });
  }
  attested = await attestWithGcloud(gcloud, image, otherImage);
  const { pgp, pkix } = attested;
  authority.pgp = sandbox.write(
    'pgp.yaml',
    authorityYaml(project, 'pgp', { pgpPublicKeyBase64: pgp.publicKeyBase64 }),
  );
  authority.pkix = sandbox.write(
    'pkix.yaml',
    authorityYaml(project, 'pkix', {
      pkixKeyId: pkix.keyId,
      publicKeyPem: pkix.publicKeyPem,
      signatureAlgorithm: 'ECDSA_P256_SHA256',
    }),
  );
  authority.kms = sandbox.write(
    'kms.yaml',
    authorityYaml(project, 'kms', {
      pkixKeyId: kmsKeyId,
      publicKeyPem: kmsKey.publicKeyPem,
      signatureAlgorithm: 'EC_SIGN_P256_SHA256',
    }),
  );
}, 300_000);

afterAll(async () => {
  await gcloud?.close();
  await binauthz?.close();
  await kms?.close();
  await emulator?.close();
  sandbox?.cleanup();
});

describe('gcloud container binauthz create-signature-payload', () => {
  it('prints what `signet payload --payload-form gcloud` prints', async () => {
    const signet_ = await signet(['payload', '--payload-form', 'gcloud', '--image', image]);
    expect(signet_.code).toBe(0);
    expect(signet_.stdoutBytes.equals(readFileSync(attested.payloadFile))).toBe(true);
  });
});

describe('attestations gcloud writes with --note (made before all tests)', () => {
  it('are stored as gcloud stores them: resourceUri without https://', async () => {
    const listed = await emulator.store.listOccurrences(project);
    const uris = listed.items.map((o) => o.resourceUri);
    expect(uris).toContain(image);
    expect(uris).toContain(otherImage);
    expect(uris.some((u) => u.startsWith('https://'))).toBe(false);
  });

  it('signet verify admits the image under the PGP and the PKIX authority', async () => {
    const run = await signet([
      'verify',
      '--image',
      image,
      '--authority',
      authority.pgp,
      '--authority',
      authority.pkix,
    ]);
    expect(run.stdout).toMatch(/^ {2}ok {3}AttestationAuthority pgp /m);
    expect(run.stdout).toMatch(/^ {2}ok {3}AttestationAuthority pkix /m);
    expect(run.code).toBe(0);
  });

  it('signet evaluate admits a pod of the image', async () => {
    const run = await signet([
      'evaluate',
      '--file',
      podManifest(image),
      '--policies',
      policyFolder('policies-both', ['pgp', 'pkix']),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('a replayed attestation (payload and signature of another digest) is still refused', async () => {
    const verify = await signet(['verify', '--image', otherImage, '--authority', authority.pkix]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('1 attestation(s), none valid');
    expect(verify.stdout).toContain(
      'sha256:9f9973b643ba5081290f7aeb1c3d9eab309c464028339bc484880abdb8635d46',
    );
    const evaluate = await signet([
      'evaluate',
      '--file',
      podManifest(otherImage),
      '--policies',
      policyFolder('policies-pkix', ['pkix']),
    ]);
    expect(evaluate.code).toBe(1);
  });
});

describe('gcloud attestations list', () => {
  it('lists what signet sign wrote (--artifact-url), with the same signature bytes', async () => {
    const signed = await signet([
      '--output',
      'json',
      'sign',
      '--image',
      image,
      '--note',
      `projects/${project}/notes/pkix`,
      '--pkix-key',
      attested.pkix.privateKeyFile,
      '--pkix-algorithm',
      'ECDSA_P256_SHA256',
    ]);
    expect(signed.code).toBe(0);
    const occurrence = JSON.parse(signed.stdout) as Record<string, unknown>;
    const listed = await gcloud.listAttestations({ artifactUrl: image });
    const mine = listed.find((o) => o.name === occurrence.name);
    expect(mine?.resourceUri).toBe(`https://${image}`);
    expect(mine?.attestation.signatures[0]?.publicKeyId).toBe(attested.pkix.keyId);
    expect(
      bytesOf(mine?.attestation.signatures[0]?.signature ?? '').equals(signatureOf(occurrence).signature),
    ).toBe(true);
  });
});

describe('Cloud KMS: gcloud beta … sign-and-create and signet sign --kms-key against one stub', () => {
  it('sign-and-create --note sends the recorded Cloud KMS requests and writes the recorded key id', async () => {
    kms.requests.length = 0;
    await gcloud.ok([
      'beta',
      'container',
      'binauthz',
      'attestations',
      'sign-and-create',
      `--artifact-url=${image}`,
      `--note=projects/${project}/notes/kms`,
      ...keyVersionFlags,
    ]);
    const expected = recorded('binauthz-beta-sign-and-create-note', 'cloudkms');
    expect(kms.requests).toEqual(
      expected.map(({ method, path, query, body }) => ({ method, path, query, body })),
    );
    const listed = await emulator.store.listOccurrences(project);
    const ids = listed.items.flatMap((o) =>
      o.kind === 'ATTESTATION' && o.signature.form === 'generic'
        ? o.signature.signatures.map((s) => s.publicKeyId)
        : [],
    );
    expect(ids).toContain(`//${kms.host}/v1/${keyVersion}`);
  });

  it('sign-and-create --attestor with the key id override: openssl and signet verify accept it', async () => {
    binauthz.requests.length = 0;
    const before = new Set((await emulator.store.listOccurrences(project)).items.map((o) => o.name));
    await gcloud.ok([
      'beta',
      'container',
      'binauthz',
      'attestations',
      'sign-and-create',
      `--artifact-url=${image}`,
      `--attestor=${attestor}`,
      ...keyVersionFlags,
      `--public-key-id-override=${kmsKeyId}`,
    ]);
    expect(binauthz.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      recorded('binauthz-beta-sign-and-create-attestor-key-id-override', 'binaryauthorization').map(
        (r) => `${r.method} ${r.path}`,
      ),
    );
    const created = (await emulator.store.listOccurrences(project)).items.find((o) => !before.has(o.name));
    if (created?.kind !== 'ATTESTATION' || created.signature.form !== 'generic')
      throw new Error('no generic attestation was created');
    const [signature] = created.signature.signatures;
    expect(signature?.publicKeyId).toBe(kmsKeyId);
    expect(
      opensslVerifies(
        kms.key(keyVersion)?.publicKeyPem ?? '',
        created.signature.serializedPayload,
        signature?.signature ?? new Uint8Array(),
      ),
    ).toBe(true);
    const run = await signet(['verify', '--image', image, '--authority', authority.kms]);
    expect(run.stdout).toMatch(/^ {2}ok {3}AttestationAuthority kms /m);
    expect(run.code).toBe(0);
  });

  it('signet sign --kms-key: openssl verifies it, and gcloud lists it under the attestor', async () => {
    const signed = await signet([
      '--output',
      'json',
      'sign',
      '--image',
      image,
      '--note',
      `projects/${project}/notes/kms`,
      '--kms-key',
      keyVersion,
      '--payload-form',
      'gcloud',
    ]);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    const occurrence = JSON.parse(signed.stdout) as Record<string, unknown>;
    const { keyId, signature, payload } = signatureOf(occurrence);
    expect(keyId).toBe(kmsKeyId);
    expect(payload?.equals(readFileSync(attested.payloadFile))).toBe(true);
    expect(
      opensslVerifies(kms.key(keyVersion)?.publicKeyPem ?? '', payload ?? new Uint8Array(), signature),
    ).toBe(true);
    const listed = await gcloud.listAttestations({ artifactUrl: image, attestor });
    const mine = listed.find((o) => o.name === occurrence.name);
    expect(mine?.attestation.signatures[0]?.publicKeyId).toBe(kmsKeyId);
    expect(bytesOf(mine?.attestation.signatures[0]?.signature ?? '').equals(signature)).toBe(true);
  });
});
