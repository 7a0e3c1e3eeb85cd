import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUIDE } from '@signet/guide-world';
import {
  type LoopbackServer,
  type RunningRegistry,
  startLoopbackServer,
  startRegistry,
} from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld } from '../test-support/e2e-world.js';
import { metricValue } from '../test-support/metrics.js';
import { capturedRequest, requestOf, rewriteImages } from '../test-support/reviews.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry (distribution 2.8). What cosign 2.5 wrote
// (testdata/cosign: the recorded signatures, since CI has no cosign) is pushed byte for byte; the webhook
// judges cosign authorities against it over real TLS, reading through its own registry client.

const VECTORS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign');
const IMAGE_DIGEST = 'sha256:3601fa8a5a80dba862b9c4a0fb4ae8d393bf4f30d720aa94a7f395facb22e55a';
const TAG = IMAGE_DIGEST.replace(':', '-');
/** The image as cosign signed it: the payloads name this repository; the registry below holds the signatures. */
const SIGNED = `127.0.0.1:5123/signet/app@${IMAGE_DIGEST}`;
const UNSIGNED_DIGEST = `sha256:${'e'.repeat(64)}`;
const UNSIGNED = `127.0.0.1:5123/signet/app@${UNSIGNED_DIGEST}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Answer {
  response: { allowed: boolean; warnings?: string[]; status?: { code: number; message: string } };
}

let world: E2eWorld;
let registry: RunningRegistry;
let broken: LoopbackServer;
let webhook: RunningWebhook;
let policyDir: string;

function vector(file: string): Buffer {
  return readFileSync(join(VECTORS, file));
}

async function pushBlob(repo: string, digest: string): Promise<void> {
  const base = `http://${registry.host}`;
  const started = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(started.status).toBe(202);
  const upload = new URL(started.headers.get('location') ?? '', base);
  upload.searchParams.set('digest', digest);
  const done = await fetch(upload, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: vector(`blobs/${digest.replace('sha256:', '')}`),
  });
  expect(done.status).toBe(201);
}

/** A recorded manifest and every blob it names, byte for byte, under the tag cosign wrote it to. */
async function pushSignatures(repo: string, file: string): Promise<void> {
  const body = vector(file);
  const manifest = JSON.parse(body.toString()) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  for (const digest of new Set([manifest.config.digest, ...manifest.layers.map((l) => l.digest)]))
    await pushBlob(repo, digest);
  const put = await fetch(`http://${registry.host}/v2/${repo}/manifests/${TAG}.sig`, {
    method: 'PUT',
    headers: { 'content-type': OCI_MANIFEST },
    body,
  });
  expect(put.status, await put.text()).toBe(201);
}

function kritis(namespace: string, kind: string, name: string, spec: string): string {
  return `apiVersion: kritis.grafeas.io/v1beta1
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}`;
}

/** A namespace whose one policy requires `authorities`: the cosign one reading `repository`, and QA's Grafeas note. */
function writeNamespace(namespace: string, repository: string, withGrafeas = false): void {
  const dir = join(policyDir, namespace);
  mkdirSync(dir, { recursive: true });
  const key = vector('keys/ecdsa-p256.pub').toString('base64');
  writeFileSync(
    join(dir, 'build.yaml'),
    kritis(
      namespace,
      'AttestationAuthority',
      'build',
      `  cosign:\n    publicKeyData: ${key}\n    repository: ${repository}\n`,
    ),
  );
  const names = ['build'];
  if (withGrafeas) {
    names.push(GUIDE.attestor);
    writeFileSync(
      join(dir, 'qa.yaml'),
      kritis(
        namespace,
        'AttestationAuthority',
        GUIDE.attestor,
        `  noteReference: projects/${GUIDE.project}\n  publicKeyData: ${Buffer.from(world.guide.publicKey).toString('base64')}\n`,
      ),
    );
  }
  writeFileSync(
    join(dir, 'policy.yaml'),
    kritis(
      namespace,
      'GenericAttestationPolicy',
      'signed',
      `  attestationAuthorityNames:\n${names.map((n) => `  - ${n}`).join('\n')}\n`,
    ),
  );
}

beforeAll(async () => {
  world = await createE2eWorld();
  registry = await startRegistry(join(world.dir, 'registry'), { kind: 'anonymous' });
  await pushSignatures('signet/app', 'app.sig.manifest.json');
  await pushSignatures('signet/other', 'other.sig.manifest.json');
  broken = await startLoopbackServer((_req, res) => void res.writeHead(500).end('internal error\n'));
  const brokenHost = `127.0.0.1:${broken.port}`;
  policyDir = join(world.dir, 'cosign-policies');
  writeNamespace('cosign', `${registry.host}/signet/app`);
  writeNamespace('replayed', `${registry.host}/signet/other`);
  writeNamespace('broken', `${brokenHost}/signet/app`);
  writeNamespace('mixed', `${registry.host}/signet/app`, true);
  webhook = await world.startWebhook({
    policies: { from: 'directory', directory: policyDir },
    resolve: { registry: { insecureRegistries: [registry.host, brokenHost] } },
  });
});

afterAll(async () => {
  await world?.close();
  await registry?.stop();
  await broken?.stop();
});

async function validate(target: RunningWebhook, namespace: string, image: string): Promise<Answer> {
  const review = rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image);
  requestOf(review).namespace = namespace;
  const answer = await world.post(target, review);
  expect(answer.status).toBe(200);
  return answer.json as Answer;
}

describe('/validate judges cosign authorities against docker-registry (distribution 2.8)', () => {
  it("admits the image cosign 2.5 signed, read through the webhook's registry client", async () => {
    const answer = await validate(webhook, 'cosign', SIGNED);
    expect(answer.response, answer.response.status?.message).toMatchObject({ allowed: true });
    const metrics = await webhook.metrics.registry.metrics();
    expect(metricValue(metrics, 'signet_cosign_reads_total', { result: 'fetched' })).toBe(1);
  });

  it('denies an unsigned digest, naming the repository and the .sig tag looked at', async () => {
    const answer = await validate(webhook, 'cosign', UNSIGNED);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(403);
    const message = answer.response.status?.message ?? '';
    expect(message).toContain(`${registry.host}/signet/app`);
    expect(message).toContain(`${UNSIGNED_DIGEST.replace(':', '-')}.sig`);
  });

  it("denies a signature replayed from signet/other: its payload names that repository, not the image's", async () => {
    const answer = await validate(webhook, 'replayed', SIGNED);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(403);
    expect(answer.response.status?.message).toContain(`${registry.host}/signet/other`);
    expect(answer.response.status?.message).toContain('COSIGN_REPOSITORY_MISMATCH');
  });

  it('a registry that answers 500 denies as a backend failure (503), never as "not signed"', async () => {
    const answer = await validate(webhook, 'broken', SIGNED);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(503);
    const message = answer.response.status?.message ?? '';
    expect(message).toContain(
      `in repository 127.0.0.1:${broken.port}/signet/app from the registry failed: registry 127.0.0.1:${broken.port} answered HTTP 500`,
    );
    expect(message).not.toContain('no signature found');
    const metrics = await webhook.metrics.registry.metrics();
    expect(metricValue(metrics, 'signet_cosign_reads_total', { result: 'REGISTRY_BAD_RESPONSE' })).toBe(1);
  });

  it('a mixed policy (a Grafeas attestation and a cosign signature) needs both', async () => {
    const onlyCosign = await validate(webhook, 'mixed', SIGNED);
    expect(onlyCosign.response.allowed).toBe(false);
    expect(onlyCosign.response.status?.message).toContain(GUIDE.attestor);

    await world.sign(UNSIGNED);
    const onlyGrafeas = await validate(webhook, 'mixed', UNSIGNED);
    expect(onlyGrafeas.response.allowed).toBe(false);
    expect(onlyGrafeas.response.status?.message).toContain(`${UNSIGNED_DIGEST.replace(':', '-')}.sig`);

    // A fresh webhook: the first one keeps "no attestation" of the signed image for --empty-cache-ttl.
    await world.sign(SIGNED);
    const fresh = await world.startWebhook({
      policies: { from: 'directory', directory: policyDir },
      resolve: { registry: { insecureRegistries: [registry.host] } },
    });
    const both = await validate(fresh, 'mixed', SIGNED);
    expect(both.response, both.response.status?.message).toMatchObject({ allowed: true });
  });
});
