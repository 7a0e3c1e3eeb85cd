import { mkdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type LoopbackServer, startLoopbackServer } from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATT_TAG,
  blobsOf,
  cosignAuthorityYaml,
  cosignBlob,
  cosignVector,
  OCI_MANIFEST,
  podYaml,
  requirePolicyYaml,
  SIG_TAG,
  SIGNED_AS,
  SIGNED_IMAGE,
  SLSA_V1,
  sha256,
  UNSIGNED_DIGEST,
  UNSIGNED_IMAGE,
} from './test-support/cosign-vectors.js';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// verify, evaluate and audit's registry reading, against a loopback stand-in that serves cosign 2.5's
// recorded .sig/.att manifests and blobs byte for byte (the real docker-registry runs in
// cosign-authorities.interop.test.ts), and fails on demand.

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const note = 'projects/attestors/notes/qa';
let sandbox: Sandbox;
let registry: LoopbackServer;
let host: string;
let flags: string[];

/** Path → body: the recorded manifests by repository and tag, the blobs (`/blobs/DIGEST`) in every repository. */
const served = new Map<string, Buffer>();

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  if (url.startsWith('/v2/broken/')) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
    return;
  }
  const body = served.get(url.replace(/^\/v2\/[^/]+\/[^/]+\/blobs\//, '/blobs/'));
  if (url.includes('/referrers/') || !body) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      req.method === 'HEAD' ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}',
    );
    return;
  }
  const manifest = url.includes('/manifests/');
  res.writeHead(200, {
    'content-type': manifest ? OCI_MANIFEST : 'application/octet-stream',
    'docker-content-digest': sha256(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function serveManifest(repository: string, tag: string, file: string): void {
  const body = cosignVector(file);
  served.set(`/v2/${repository}/manifests/${tag}`, body);
  for (const digest of blobsOf(body)) served.set(`/blobs/${digest}`, cosignBlob(digest));
}

const signet = (args: string[]) => runSignet(args, sandbox.env);

function authority(name: string, repository: string, predicateTypes?: string[]): string {
  return sandbox.write(
    `${name}.yaml`,
    cosignAuthorityYaml(name, {
      repository: `${host}/${repository}`,
      ...(predicateTypes ? { predicateTypes } : {}),
    }),
  );
}

beforeAll(async () => {
  sandbox = createSandbox();
  registry = await startLoopbackServer(answer);
  host = `127.0.0.1:${registry.port}`;
  flags = ['--insecure-registry', host];
  serveManifest('signet/app', SIG_TAG, 'app.sig.manifest.json');
  serveManifest('signet/app', ATT_TAG, 'app.att.manifest.json');
  serveManifest('signet/other', SIG_TAG, 'other.sig.manifest.json');
});
afterAll(async () => {
  await registry?.stop();
  sandbox.cleanup();
});

describe('signet verify, an authority with spec.cosign', () => {
  it('admits the digest cosign signed with the recorded P-256 key; JSON names the repository and tag', async () => {
    const build = authority('build', 'signet/app', [SLSA_V1]);
    const run = await signet([
      '--output',
      'json',
      'verify',
      '--image',
      SIGNED_IMAGE,
      '--authority',
      build,
      ...flags,
    ]);
    expect(run.stderr).toContain(`${host} is spoken to over plain HTTP`);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ attested: true, image: `https://${SIGNED_IMAGE}` });
    expect(out.authorities[0]).toMatchObject({
      authority: 'build',
      attested: true,
      cosign: {
        met: true,
        repository: `${host}/signet/app`,
        signatures: { tag: SIG_TAG, found: true, layers: 4 },
        attestations: { tag: ATT_TAG, found: true, layers: 1 },
        rejected: [],
      },
    });
    expect(out.authorities[0].note).toBeUndefined();
  });

  it('refuses an unsigned digest (exit 1), naming the .sig tag looked at and the fix', async () => {
    const build = authority('build', 'signet/app');
    const run = await signet(['verify', '--image', UNSIGNED_IMAGE, '--authority', build, ...flags]);
    expect(run.code).toBe(1);
    const tag = `${UNSIGNED_DIGEST.replace(':', '-')}.sig`;
    expect(run.stdout).toContain(`NOT ATTESTED: https://${UNSIGNED_IMAGE}`);
    expect(run.stdout).toMatch(
      new RegExp(`^ {2}FAIL AttestationAuthority build \\(cosign, repository ${host}/signet/app\\)`, 'm'),
    );
    expect(run.stdout).toContain(
      `no signature found: tag ${tag} of repository ${host}/signet/app does not exist`,
    );
    expect(run.stdout).toContain(
      `COSIGN_REPOSITORY=${host}/signet/app cosign sign --key cosign.key ${UNSIGNED_IMAGE}`,
    );
  });

  it('refuses the signature cosign made for signet/other: its payload names another repository', async () => {
    const replay = authority('replay', 'signet/other');
    const run = await signet([
      '--output',
      'json',
      'verify',
      '--image',
      SIGNED_IMAGE,
      '--authority',
      replay,
      ...flags,
    ]);
    expect(run.code).toBe(1);
    const [result] = JSON.parse(run.stdout).authorities;
    expect(result.cosign).toMatchObject({ met: false, signatures: { tag: SIG_TAG, found: true, layers: 1 } });
    expect(result.cosign.rejected).toHaveLength(1);
    expect(result.cosign.rejected[0].code).toBe('NOT_ATTESTED');
    expect(result.cosign.rejected[0].reason).toContain('layer 1:');
    expect(result.cosign.rejected[0].reason).toContain(`${SIGNED_AS.replace('/app', '/other')}`);
  });

  it('a registry that fails is exit 3 with its own error, never NOT ATTESTED', async () => {
    const broken = authority('broken', 'broken/app');
    const run = await signet([
      '--output',
      'json',
      'verify',
      '--image',
      SIGNED_IMAGE,
      '--authority',
      broken,
      ...flags,
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).not.toContain('NOT ATTESTED');
    expect(JSON.parse(run.stdout).error).toMatchObject({ exitCode: 3 });
    expect(JSON.parse(run.stdout).error.code).toMatch(/^REGISTRY_/);
  });

  it('an authority with a note and spec.cosign needs both: the note attested, the cosign part judged apart', async () => {
    expect((await signet(['note', 'create', '--project', 'attestors', '--note-id', 'qa'])).code).toBe(0);
    const pgp = readFileSync(join(kritisSigner, 'public.key')).toString('base64');
    const both = sandbox.write(
      'both.yaml',
      cosignAuthorityYaml('qa', { repository: `${host}/signet/app` }).replace(
        'spec:\n',
        `spec:\n  noteReference: ${note}\n  publicKeys:\n  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${pgp}\n`,
      ),
    );
    for (const image of [SIGNED_IMAGE, UNSIGNED_IMAGE]) {
      const signed = await signet([
        'sign',
        '--image',
        image,
        '--note',
        note,
        '--pgp-key',
        join(kritisSigner, 'private.key'),
      ]);
      expect(signed.code).toBe(0);
    }
    const admitted = await signet(['verify', '--image', SIGNED_IMAGE, '--authority', both, ...flags]);
    expect(admitted.stdout).toMatch(/^ {2}ok {3}AttestationAuthority qa \(note /m);
    expect(admitted.stdout).toMatch(/^ {2}ok {3}AttestationAuthority qa \(cosign, /m);
    expect(admitted.code).toBe(0);
    const refused = await signet(['verify', '--image', UNSIGNED_IMAGE, '--authority', both, ...flags]);
    expect(refused.stdout).toMatch(/^ {2}ok {3}AttestationAuthority qa \(note /m);
    expect(refused.stdout).toMatch(/^ {2}FAIL AttestationAuthority qa \(cosign, /m);
    expect(refused.code).toBe(1);
  });
});

describe('signet evaluate with cosign authorities', () => {
  let policies: string;
  beforeAll(() => {
    policies = sandbox.path('policies');
    mkdirSync(policies);
    sandbox.write('policies/build.yaml', cosignAuthorityYaml('build', { repository: `${host}/signet/app` }));
    sandbox.write('policies/require.yaml', requirePolicyYaml('require-build', ['build']));
  });

  it('admits a Pod of the signed digest and denies one of an unsigned digest with the webhook reasons', async () => {
    const manifest = sandbox.write(
      'pods.yaml',
      `${podYaml('signed', [SIGNED_IMAGE])}---\n${podYaml('unsigned', [UNSIGNED_IMAGE])}`,
    );
    const run = await signet(['evaluate', '--file', manifest, '--policies', policies, ...flags]);
    expect(run.stdout).toMatch(/^ADMIT Pod default\/signed$/m);
    expect(run.stdout).toMatch(/^DENY {2}Pod default\/unsigned$/m);
    expect(run.stdout).toContain(
      `no signature found: tag ${UNSIGNED_DIGEST.replace(':', '-')}.sig of repository ${host}/signet/app`,
    );
    expect(run.code).toBe(1);
  });

  it('a registry that fails: the Pod is denied as a backend failure, exit 3', async () => {
    const folder = sandbox.path('broken-policies');
    mkdirSync(folder);
    sandbox.write(
      'broken-policies/build.yaml',
      cosignAuthorityYaml('build', { repository: `${host}/broken/app` }),
    );
    sandbox.write('broken-policies/require.yaml', requirePolicyYaml('require-build', ['build']));
    const manifest = sandbox.write('signed.yaml', podYaml('signed', [SIGNED_IMAGE]));
    const run = await signet([
      '--output',
      'json',
      'evaluate',
      '--file',
      manifest,
      '--policies',
      folder,
      ...flags,
    ]);
    expect(run.code).toBe(3);
    const [pod] = JSON.parse(run.stdout).objects;
    expect(pod.allowed).toBe(false);
    expect(pod.violations.map((v: { code: string }) => v.code)).toEqual(['BACKEND_FAILED']);
    expect(pod.violations[0].reason).toContain(`repository ${host}/broken/app`);
  });

  it('without the registry flags the stand-in is spoken to over HTTPS, and fails closed', async () => {
    const manifest = sandbox.write('signed-only.yaml', podYaml('signed', [SIGNED_IMAGE]));
    const run = await signet([
      'evaluate',
      '--file',
      manifest,
      '--policies',
      policies,
      '--registry-timeout',
      '5s',
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^DENY {2}Pod default\/signed$/m);
  });
});

describe('--help', () => {
  it.each(['verify', 'evaluate', 'audit'])(
    '%s lists the registry flags and says how cosign is read',
    async (command) => {
      const run = await signet([command, '--help']);
      expect(run.code).toBe(0);
      for (const flag of [
        '--registry-config',
        '--registry-ca',
        '--insecure-registry',
        '--registry-timeout',
      ]) {
        expect(run.stdout).toContain(flag);
      }
      expect(run.stdout).toContain('spec.cosign');
    },
  );
});
