import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { type Gcloud, gcloudAgainst } from '@signet/grafeas-emulator/gcloud';
import { pkixKeyId } from '@signet/signing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebhook, startWebhook } from '../start-webhook.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';
import { tempDir } from '../test-support/tmp.js';

/**
 * Attestations written by gcloud 528 (`container binauthz attestations create --note`, PGP and PKIX),
 * which store the resource without `https://`, must admit a pod through the webhook; a replayed one
 * (another digest's payload and signature) must not.
 */
const project = 'demo-proj';
const repository = 'us-docker.pkg.dev/demo-proj/repo/app';
const image = `${repository}@sha256:9f9973b643ba5081290f7aeb1c3d9eab309c464028339bc484880abdb8635d46`;
const replayed = `${repository}@sha256:35ae67ade6f70f778b62947370877a23ec0289ac7be94705ce36e9b3e8f761b9`;

interface Answer {
  response: { allowed: boolean; status?: { message: string } };
}

let tmp: { path: string; remove: () => Promise<void> };
let emulator: RunningEmulator;
let gcloud: Gcloud;
let webhook: RunningWebhook;
let gnupgHome: string;

function gpg(args: string[]): Buffer {
  return execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', ...args], {
    env: { PATH: process.env.PATH, GNUPGHOME: gnupgHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function authorityYaml(name: string, publicKey: string): string {
  return `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: ${name}\nspec:\n  noteReference: projects/${project}/notes/${name}\n  publicKeys:\n${publicKey}`;
}

/** gcloud's payload for `image`, signed by a new gpg key and a new P-256 key, written with --note. */
async function writeAttestationsWithGcloud(policyDir: string): Promise<void> {
  const inGcloud = (name: string) => join(gcloud.dir, name);
  writeFileSync(
    inGcloud('payload.json'),
    await gcloud.ok(['container', 'binauthz', 'create-signature-payload', `--artifact-url=${image}`]),
  );
  gpg(['--passphrase', '', '--quick-gen-key', 'gcloud webhook <gw@example.com>', 'ed25519', 'sign', 'never']);
  const fingerprint =
    /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-keys']).toString())?.[1] ?? '';
  gpg(['--armor', '--output', inGcloud('signature.pgp'), '--sign', inGcloud('payload.json')]);
  const pem = join(tmp.path, 'pkix.pem');
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', pem]);
  const publicPem = execFileSync('openssl', ['pkey', '-in', pem, '-pubout']).toString('utf8');
  execFileSync('openssl', [
    'dgst',
    '-sha256',
    '-sign',
    pem,
    '-out',
    inGcloud('signature.pkix'),
    inGcloud('payload.json'),
  ]);
  const pkixId = pkixKeyId(publicPem);
  await gcloud.createAttestation({
    artifactUrl: image,
    note: 'pgp',
    signatureFile: 'signature.pgp',
    publicKeyId: fingerprint,
  });
  await gcloud.createAttestation({
    artifactUrl: image,
    note: 'pkix',
    signatureFile: 'signature.pkix',
    publicKeyId: pkixId,
  });
  await gcloud.createAttestation({
    artifactUrl: replayed,
    note: 'pkix',
    signatureFile: 'signature.pkix',
    publicKeyId: pkixId,
    payloadFile: 'payload.json',
  });

  const armored = gpg(['--armor', '--export', fingerprint]).toString('base64');
  writeFileSync(
    join(policyDir, 'pgp.yaml'),
    authorityYaml('pgp', `  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${armored}\n`),
  );
  const indented = publicPem.trim().split('\n').join('\n        ');
  writeFileSync(
    join(policyDir, 'pkix.yaml'),
    authorityYaml(
      'pkix',
      `  - keyType: PKIX\n    keyId: ${JSON.stringify(pkixId)}\n    pkixPublicKey:\n      signatureAlgorithm: ECDSA_P256_SHA256\n      publicKeyPem: |\n        ${indented}\n`,
    ),
  );
  writeFileSync(
    join(policyDir, 'policy.yaml'),
    'apiVersion: kritis.grafeas.io/v1beta1\nkind: GenericAttestationPolicy\nmetadata:\n  name: gcloud-signed\n  namespace: default\nspec:\n  attestationAuthorityNames:\n  - pgp\n  - pkix\n',
  );
}

async function admit(target: string): Promise<Answer> {
  const review = rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => target);
  const answer = await fetch(`${webhook.url}/validate?timeout=10s`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(review),
  });
  expect(answer.status).toBe(200);
  return (await answer.json()) as Answer;
}

beforeAll(async () => {
  tmp = await tempDir('gcloud');
  gnupgHome = join(tmp.path, 'gnupg');
  mkdirSync(gnupgHome, { mode: 0o700 });
  emulator = await startEmulator({ flavor: 'google' });
  for (const id of ['pgp', 'pkix']) await emulator.store.createNote(project, id, { kind: 'ATTESTATION' });
  gcloud = await gcloudAgainst({ project, endpoints: { containeranalysis: emulator.url } });
  const policyDir = join(tmp.path, 'policies');
  mkdirSync(policyDir);
  await writeAttestationsWithGcloud(policyDir);
  webhook = await startWebhook({
    policies: { from: 'directory', directory: policyDir },
    store: `containeranalysis:${emulator.url}`,
    api: 'v1',
    insecureHttp: true,
    port: 0,
    host: '127.0.0.1',
    shutdownDelayMs: 0,
    logger: pino({ level: 'silent' }),
  });
}, 300_000);

afterAll(async () => {
  await webhook?.stop();
  await gcloud?.close();
  await emulator?.close();
  try {
    execFileSync('gpgconf', ['--kill', 'all'], {
      env: { PATH: process.env.PATH, GNUPGHOME: gnupgHome },
      stdio: 'ignore',
    });
  } catch {
    // no agent was started
  }
  await tmp?.remove();
});

describe('signet-webhook and attestations gcloud wrote', () => {
  it('admits a pod whose image gcloud attested with PGP and PKIX signatures', async () => {
    const answer = await admit(image);
    expect(answer.response.status?.message ?? '').toBe('');
    expect(answer.response.allowed).toBe(true);
  });

  it('denies a pod whose only attestation is a replay of another digest', async () => {
    const answer = await admit(replayed);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain(
      'sha256:9f9973b643ba5081290f7aeb1c3d9eab309c464028339bc484880abdb8635d46',
    );
  });
});
