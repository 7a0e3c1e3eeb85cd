import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { type Gcloud, gcloudAgainst } from '@signet/grafeas-emulator/gcloud';
import {
  attestWithGcloud,
  authorityYaml,
  type GcloudAttestations,
  policyYaml,
} from '@signet/grafeas-emulator/test-support';
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

/** The authorities of the keys gcloud's attestations were signed with, and a policy requiring both. */
function writePolicies(policyDir: string, { pgp, pkix }: GcloudAttestations): void {
  const pgpKey = { pgpPublicKeyBase64: pgp.publicKeyBase64 };
  writeFileSync(join(policyDir, 'pgp.yaml'), authorityYaml(project, 'pgp', pgpKey));
  const pkixKey = {
    pkixKeyId: pkix.keyId,
    publicKeyPem: pkix.publicKeyPem,
    signatureAlgorithm: 'ECDSA_P256_SHA256',
  };
  writeFileSync(join(policyDir, 'pkix.yaml'), authorityYaml(project, 'pkix', pkixKey));
  writeFileSync(join(policyDir, 'policy.yaml'), policyYaml(['pgp', 'pkix']));
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
  emulator = await startEmulator({ flavor: 'google' });
  for (const id of ['pgp', 'pkix']) await emulator.store.createNote(project, id, { kind: 'ATTESTATION' });
  gcloud = await gcloudAgainst({ project, endpoints: { containeranalysis: emulator.url } });
  const policyDir = join(tmp.path, 'policies');
  mkdirSync(policyDir);
  writePolicies(policyDir, await attestWithGcloud(gcloud, image, replayed));
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
