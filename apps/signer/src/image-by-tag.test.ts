import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fakeManifest, type LoopbackServer, startLoopbackServer } from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from './test-support/occurrence-json.js';
import { expectCleanError, runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// `--image REPO:TAG` in every command that takes it, against a loopback stand-in registry with Basic
// auth (the real docker-registry runs in sign-by-tag.interop.test.ts).

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const kritisPrivateKey = join(kritisSigner, 'private.key');
const note = 'projects/attestors/notes/qa';
const BASIC = `Basic ${Buffer.from('ci:pass').toString('base64')}`;
const manifest = fakeManifest('by-tag');
let sandbox: Sandbox;
let registry: LoopbackServer;
let host: string;
let registryFlags: string[];
let authority: string;
const asked: string[] = [];

function answer(req: IncomingMessage, res: ServerResponse): void {
  asked.push(`${req.method} ${req.url}`);
  if (req.headers.authorization !== BASIC) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    return;
  }
  if (req.url !== '/v2/team/app/manifests/v1') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      req.method === 'HEAD'
        ? undefined
        : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
    );
    return;
  }
  res.writeHead(200, { 'content-type': manifest.mediaType, 'docker-content-digest': manifest.digest });
  res.end(req.method === 'HEAD' ? undefined : manifest.body);
}

beforeAll(async () => {
  sandbox = createSandbox();
  registry = await startLoopbackServer(answer);
  host = `127.0.0.1:${registry.port}`;
  const config = sandbox.write(
    'config.json',
    JSON.stringify({ auths: { [host]: { username: 'ci', password: 'pass' } } }),
  );
  registryFlags = ['--registry-config', config, '--insecure-registry', host];
  const created = await runSignet(
    ['note', 'create', '--project', 'attestors', '--note-id', 'qa'],
    sandbox.env,
  );
  expect(created.code).toBe(0);
  authority = sandbox.write(
    'qa.yaml',
    `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: qa\nspec:\n  noteReference: ${note}\n  publicKeys:\n  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${readFileSync(join(kritisSigner, 'public.key')).toString('base64')}\n`,
  );
});
afterAll(async () => {
  await registry?.stop();
  sandbox.cleanup();
});

describe('signet sign --image REPO:TAG', () => {
  it('signs the digest the registry serves for the tag, and says which on stderr and in JSON', async () => {
    const run = await runSignet(
      ['--output', 'json', 'sign', '--image', `${host}/team/app:v1`, '--note', note].concat(
        ['--pgp-key', kritisPrivateKey],
        registryFlags,
      ),
      sandbox.env,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`resolved ${host}/team/app:v1 to ${host}/team/app@${manifest.digest}\n`);
    const occurrence = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(occurrence.resourceUri).toBe(`https://${host}/team/app@${manifest.digest}`);
    expect(occurrence.signedImage).toEqual({
      input: `${host}/team/app:v1`,
      pinned: `${host}/team/app@${manifest.digest}`,
      digest: manifest.digest,
      resolvedTag: 'v1',
    });
    const signed = JSON.parse(signatureOf(occurrence).payload?.toString('utf8') ?? '{}');
    expect(signed.critical.image['docker-manifest-digest']).toBe(manifest.digest);
    expect(signed.critical.identity['docker-reference']).toBe(`${host}/team/app`);
  });

  it('verify judges the digest of the tag: what sign stored is found by tag', async () => {
    const run = await runSignet(
      ['verify', '--image', `${host}/team/app:v1`, '--authority', authority, ...registryFlags],
      sandbox.env,
    );
    expect(run.stdout).toContain(`ATTESTED: https://${host}/team/app@${manifest.digest}`);
    expect(run.code).toBe(0);
  });

  it('payload names the digest, never the tag', async () => {
    const run = await runSignet(
      ['--output', 'json', 'payload', '--image', `${host}/team/app:v1`, ...registryFlags],
      sandbox.env,
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.digest).toBe(manifest.digest);
    expect(out.resourceUrl).toBe(`https://${host}/team/app@${manifest.digest}`);
    expect(JSON.parse(out.payload).critical.image['docker-manifest-digest']).toBe(manifest.digest);
  });

  it('an image given by digest is signed as given, without asking the registry', async () => {
    const before = asked.length;
    const digest = `sha256:${'4'.repeat(64)}`;
    const run = await runSignet(
      ['sign', '--image', `${host}/team/app@${digest}`, '--note', note, '--pgp-key', kritisPrivateKey],
      sandbox.env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Signed https://${host}/team/app@${digest}`);
    expect(asked.length).toBe(before);
  });

  it('a tag the registry does not have: exit 2 in every command that takes --image', async () => {
    const image = `${host}/team/app:v9`;
    for (const args of [
      ['sign', '--note', note, '--pgp-key', kritisPrivateKey],
      ['verify', '--authority', authority],
      ['check', '--policy', join(kritisSigner, 'policy_strict.yaml')],
      [
        'attach',
        '--note',
        note,
        '--signature',
        'x',
        '--pgp-key-id',
        'EDEEBA8C1643F102542055B1B77522D28FA683D6',
      ],
      ['payload'],
    ]) {
      const run = await runSignet(
        ['--output', 'json', ...args, '--image', image, ...registryFlags],
        sandbox.env,
      );
      expect(run.code, args[0]).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({
        error: {
          code: 'REGISTRY_TAG_UNKNOWN',
          exitCode: 2,
          message: expect.stringContaining(`has no tag ${image}`),
        },
      });
    }
  });

  it('a registry refusing the credentials: exit 3 with the fix', async () => {
    const run = await runSignet(
      ['sign', '--image', `${host}/team/app:v1`, '--note', note, '--pgp-key', kritisPrivateKey].concat(
        '--insecure-registry',
        host,
      ),
      sandbox.env,
    );
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toContain(`registry ${host} answered 401 to an anonymous request`);
    expect(run.stderr).toContain('fix:');
    expect(run.stdout).toBe('');
  });

  it('a malformed --registry-timeout: exit 2, before anything is asked', async () => {
    const before = asked.length;
    const run = await runSignet(
      ['payload', '--image', `${host}/team/app:v1`, '--registry-timeout', 'soon', ...registryFlags],
      sandbox.env,
    );
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain('--registry-timeout');
    expect(asked.length).toBe(before);
  });
});
