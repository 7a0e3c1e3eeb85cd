import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import { type LoopbackServer, startLoopbackServer } from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedMetadataSource } from '../metadata/cached-metadata-source.js';
import { OccurrenceIndex } from '../metadata/occurrence-index.js';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld } from '../test-support/e2e-world.js';
import { capturedRequest, requestOf, rewriteImages } from '../test-support/reviews.js';

// The webhook's own wiring of cosign authorities, on loopback stand-ins for registries (the real
// registry is cosign.interop.test.ts's): both metadata sources read through the registry client, a
// registry failure follows --on-backend-error, a registry slower than the review meets its deadline.

const DIGEST = `sha256:${'7'.repeat(64)}`;

interface Answer {
  response: { allowed: boolean; warnings?: string[]; status?: { code: number; message: string } };
}

let world: E2eWorld;
let oss: RunningEmulator;
const registries: LoopbackServer[] = [];
let unsigned: string;
let failing: string;
let silent: string;
let policyDir: string;

async function registry(answer: Parameters<typeof startLoopbackServer>[0]): Promise<string> {
  const server = await startLoopbackServer(answer);
  registries.push(server);
  return `127.0.0.1:${server.port}`;
}

/** A namespace whose policy requires a cosign signature, read from `host`. */
function writeNamespace(namespace: string, host: string): void {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })).toString('base64');
  const dir = join(policyDir, namespace);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'policy.yaml'),
    `apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata: {name: build, namespace: ${namespace}}
spec:
  cosign:
    publicKeyData: ${key}
    repository: ${host}/team/app
---
apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata: {name: signed, namespace: ${namespace}}
spec:
  attestationAuthorityNames: [build]
`,
  );
}

beforeAll(async () => {
  world = await createE2eWorld();
  oss = await startEmulator({ flavor: 'oss', store: world.emulatorStore });
  unsigned = await registry((req, res) => {
    if (req.url?.includes('/referrers/')) return void res.writeHead(404).end('404 page not found\n');
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  });
  failing = await registry((_req, res) => void res.writeHead(500).end('internal error\n'));
  silent = await registry(() => {}); // accepts, never answers
  policyDir = join(world.dir, 'cosign-policies');
  writeNamespace('unsigned', unsigned);
  writeNamespace('failing', failing);
  writeNamespace('silent', silent);
}, 120_000);

afterAll(async () => {
  await world?.close();
  await oss?.close();
  await Promise.all(registries.map((r) => r.stop()));
});

function start(extra: Parameters<E2eWorld['startWebhook']>[0] = {}): Promise<RunningWebhook> {
  return world.startWebhook({
    policies: { from: 'directory', directory: policyDir },
    resolve: { registry: { insecureRegistries: [unsigned, failing, silent] } },
    ...extra,
  });
}

async function validate(webhook: RunningWebhook, namespace: string, timeout = '10s'): Promise<Answer> {
  const image = `registry.example/team/app@${DIGEST}`;
  const review = rewriteImages(capturedRequest('1.32', '01-Pod-CREATE.json').review, () => image);
  requestOf(review).namespace = namespace;
  const answer = await world.post(webhook, review, `?timeout=${timeout}`);
  expect(answer.status).toBe(200);
  return answer.json as Answer;
}

describe('cosign authorities in the webhook', () => {
  it('the per-lookup cache source reads the registry: an unsigned image is denied naming the tag', async () => {
    const webhook = await start();
    expect(webhook.metadata).toBeInstanceOf(CachedMetadataSource);
    const answer = await validate(webhook, 'unsigned');
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(403);
    expect(answer.response.status?.message).toContain(
      `tag sha256-${'7'.repeat(64)}.sig of repository ${unsigned}/team/app does not exist`,
    );
  });

  it('the index of a filter-ignoring backend reads the registry too (its per-review view)', async () => {
    const webhook = await start({ store: `grafeas:${oss.url}`, api: 'v1beta1', index: { mode: 'on' } });
    expect(webhook.metadata).toBeInstanceOf(OccurrenceIndex);
    const answer = await validate(webhook, 'unsigned');
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain(`sha256-${'7'.repeat(64)}.sig`);
  });

  it('a failing registry denies (503); under --on-backend-error allow it admits with a warning', async () => {
    const denying = await validate(await start(), 'failing');
    expect(denying.response.allowed).toBe(false);
    expect(denying.response.status?.code).toBe(503);
    expect(denying.response.status?.message).toContain(`registry ${failing} answered HTTP 500`);

    const allowing = await validate(await start({ settings: { onBackendError: 'allow' } }), 'failing');
    expect(allowing.response.allowed).toBe(true);
    expect(allowing.response.warnings?.join(' ')).toContain(
      'without checking it (fail-open): reading cosign signatures of registry.example/team/app@',
    );
  });

  it('a registry that does not answer meets the deadline: the deadline answers, 503', async () => {
    const answer = await validate(await start(), 'silent', '2s');
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(503);
    expect(answer.response.status?.message).toContain('Signet could not decide within');
    expect(answer.response.status?.message).toContain('a registry holding cosign signatures');
  });
});
