import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  type LoopbackServer,
  type RunningRegistry,
  startLoopbackServer,
  startRegistry,
} from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATT_TAG,
  blobsOf,
  cosignAuthorityYaml,
  cosignBlob,
  cosignKeyData,
  cosignVector,
  OCI_MANIFEST,
  podYaml,
  requirePolicyYaml,
  SIG_TAG,
  SIGNED_IMAGE,
  SLSA_V1,
  sha256,
  UNSIGNED_DIGEST,
  UNSIGNED_IMAGE,
} from './test-support/cosign-vectors.js';
import { runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry (distribution 2.8, anonymous HTTP) holding
// what cosign 2.5 wrote (testdata/cosign), pushed back byte for byte with plain HTTP PUTs. The payloads
// name the image 127.0.0.1:5123/signet/app; the authorities read its signatures from this registry through
// spec.cosign.repository (cosign's COSIGN_REPOSITORY), so the image judged is the one cosign signed, by
// its own name, and nothing is re-signed or rewritten. A missing tool fails.

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const note = 'projects/attestors/notes/qa';
const unsignedTag = `${UNSIGNED_DIGEST.replace(':', '-')}.sig`;
let sandbox: Sandbox;
let registry: RunningRegistry;
let flags: string[];

const signet = (args: string[]) => runSignet(args, sandbox.env);

async function pushBlob(repository: string, bytes: Buffer): Promise<void> {
  const base = `http://${registry.host}`;
  const started = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  expect(started.status).toBe(202);
  const upload = new URL(started.headers.get('location') ?? '', base);
  upload.searchParams.set('digest', sha256(bytes));
  const put = await fetch(upload, { method: 'PUT', body: bytes });
  expect(put.status).toBe(201);
}

/** A recorded manifest and its blobs, byte for byte, under `repository:tag`. */
async function pushRecorded(repository: string, tag: string, file: string): Promise<void> {
  const body = cosignVector(file);
  for (const digest of blobsOf(body)) await pushBlob(repository, cosignBlob(digest));
  const put = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': OCI_MANIFEST },
    body,
  });
  expect(put.status, await put.text()).toBe(201);
  expect(put.headers.get('docker-content-digest')).toBe(sha256(body));
}

function authorityFile(name: string, repository: string, predicateTypes?: string[]): string {
  return sandbox.write(
    `${name}.yaml`,
    cosignAuthorityYaml(name, {
      repository: `${registry.host}/${repository}`,
      ...(predicateTypes ? { predicateTypes } : {}),
    }),
  );
}

/** The Grafeas authority of the mixed policy: Kritis's test PGP key, on note qa. */
function qaAuthorityYaml(): string {
  const key = readFileSync(join(kritisSigner, 'public.key')).toString('base64');
  return `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: qa\nspec:\n  noteReference: ${note}\n  publicKeys:\n  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${key}\n`;
}

beforeAll(async () => {
  sandbox = createSandbox();
  registry = await startRegistry(join(sandbox.dir, 'registry'), { kind: 'anonymous' });
  flags = ['--insecure-registry', registry.host];
  await pushRecorded('signet/app', SIG_TAG, 'app.sig.manifest.json');
  await pushRecorded('signet/app', ATT_TAG, 'app.att.manifest.json');
  await pushRecorded('signet/other', SIG_TAG, 'other.sig.manifest.json');
  expect((await signet(['note', 'create', '--project', 'attestors', '--note-id', 'qa'])).code).toBe(0);
});
afterAll(async () => {
  await registry?.stop();
  sandbox.cleanup();
});

describe('signet verify against distribution 2.8 holding cosign 2.5 signatures', () => {
  it('admits the signed digest with the recorded P-256 key (and its SLSA attestation)', async () => {
    const build = authorityFile('build', 'signet/app', [SLSA_V1]);
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
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).authorities[0].cosign).toMatchObject({
      met: true,
      repository: `${registry.host}/signet/app`,
      signatures: {
        tag: SIG_TAG,
        digest: sha256(cosignVector('app.sig.manifest.json')),
        found: true,
        layers: 4,
      },
      attestations: { tag: ATT_TAG, found: true, layers: 1 },
    });
  });

  it('refuses an unsigned digest, naming the .sig tag it looked for', async () => {
    const build = authorityFile('build', 'signet/app');
    const run = await signet(['verify', '--image', UNSIGNED_IMAGE, '--authority', build, ...flags]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `no signature found: tag ${unsignedTag} of repository ${registry.host}/signet/app does not exist`,
    );
  });

  it('refuses the signature cosign made for signet/other, replayed for signet/app', async () => {
    const replay = authorityFile('replay', 'signet/other');
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
    const { cosign } = JSON.parse(run.stdout).authorities[0];
    expect(cosign).toMatchObject({ met: false, repository: `${registry.host}/signet/other` });
    expect(cosign.rejected[0].reason).toContain(`tag ${SIG_TAG} of repository ${registry.host}/signet/other`);
    expect(cosign.rejected[0].reason).toContain('127.0.0.1:5123/signet/other');
  });

  it('refuses the signed digest under a key that signed none of its four layers', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const stranger = sandbox.write(
      'stranger.yaml',
      cosignAuthorityYaml('stranger', { repository: `${registry.host}/signet/app` }).replace(
        /publicKeyData: \S+/,
        `publicKeyData: ${Buffer.from(pem).toString('base64')}`,
      ),
    );
    const run = await signet(['verify', '--image', SIGNED_IMAGE, '--authority', stranger, ...flags]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `no cosign signature in tag ${SIG_TAG} of repository ${registry.host}/signet/app verifies`,
    );
    expect(run.stdout).toMatch(/layers 1, 2, 3, 4: |layer 1: .*layer 4: /);
  });
});

describe('signet evaluate: a mixed policy (a Grafeas attestation by QA and a cosign signature by the build)', () => {
  let policies: string;
  let manifest: string;
  beforeAll(() => {
    policies = sandbox.path('policies');
    mkdirSync(policies);
    sandbox.write('policies/qa.yaml', qaAuthorityYaml());
    sandbox.write(
      'policies/build.yaml',
      cosignAuthorityYaml('build', { repository: `${registry.host}/signet/app` }),
    );
    sandbox.write('policies/require.yaml', requirePolicyYaml('qa-and-build', ['qa', 'build']));
    manifest = sandbox.write(
      'pods.yaml',
      `${podYaml('signed', [SIGNED_IMAGE])}---\n${podYaml('unsigned', [UNSIGNED_IMAGE])}`,
    );
  });

  const evaluate = () =>
    signet(['--output', 'json', 'evaluate', '--file', manifest, '--policies', policies, ...flags]);
  const codes = (object: { violations: { code: string; reason: string }[] }) =>
    object.violations.map((v) => `${v.code} ${v.reason}`);

  it('denies both while QA has attested neither: the cosign-signed one for want of QA only', async () => {
    const run = await evaluate();
    expect(run.code).toBe(1);
    const [signed, unsigned] = JSON.parse(run.stdout).objects;
    expect(signed.allowed).toBe(false);
    expect(codes(signed)).toHaveLength(1);
    expect(codes(signed)[0]).toContain('qa');
    expect(unsigned.allowed).toBe(false);
    expect(codes(unsigned).join('\n')).toContain(`tag ${unsignedTag}`);
  });

  it('admits the cosign-signed digest once QA attests it; the other still lacks its cosign signature', async () => {
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
    const run = await evaluate();
    expect(run.code).toBe(1);
    const [signed, unsigned] = JSON.parse(run.stdout).objects;
    expect(signed).toMatchObject({ name: 'signed', allowed: true, violations: [] });
    expect(unsigned.allowed).toBe(false);
    expect(codes(unsigned)).toHaveLength(1);
    expect(codes(unsigned)[0]).toContain(
      `no signature found: tag ${unsignedTag} of repository ${registry.host}/signet/app`,
    );
  });
});

describe('signet audit: running Pods judged on their cosign signatures', () => {
  let api: LoopbackServer;
  let kubeconfig: string;
  /** Where the cluster's authority says the signatures are. */
  let signatures = '';

  const runningPod = (name: string, image: string) => ({
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [{ name: 'c0', image }] },
    status: { containerStatuses: [{ name: 'c0', image, imageID: image, state: { running: {} } }] },
  });
  const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items });

  beforeAll(async () => {
    signatures = `${registry.host}/signet/app`;
    const answers: Record<string, () => string> = {
      '/api/v1/pods': () =>
        list([runningPod('signed', SIGNED_IMAGE), runningPod('unsigned', UNSIGNED_IMAGE)]),
      '/api/v1/namespaces': () => list([]),
      '/apis/kritis.grafeas.io/v1beta1/attestationauthorities': () =>
        list([
          {
            metadata: { name: 'build', namespace: 'default' },
            spec: { cosign: { publicKeyData: cosignKeyData(), repository: signatures } },
          },
        ]),
      '/apis/kritis.grafeas.io/v1beta1/genericattestationpolicies': () =>
        list([
          {
            metadata: { name: 'build', namespace: 'default' },
            spec: { attestationAuthorityNames: ['build'] },
          },
        ]),
      '/apis/kritis.grafeas.io/v1beta1/imagesecuritypolicies': () => list([]),
    };
    // A stand-in for the Kubernetes API (lists only): what a cluster would answer, the registry is real.
    api = await startLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
      const body = answers[(req.url ?? '').split('?')[0] ?? '']?.();
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
    });
    kubeconfig = sandbox.write(
      'kubeconfig',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: `http://127.0.0.1:${api.port}`, 'insecure-skip-tls-verify': true },
          },
        ],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('the Pod running the signed digest conforms; the one running an unsigned digest violates, naming the tag', async () => {
    const run = await signet(['--output', 'json', 'audit', '--kubeconfig', kubeconfig, ...flags]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ judged: 2, conforming: 1, violating: true });
    expect(out.workloads).toHaveLength(1);
    expect(out.workloads[0].pods).toEqual(['unsigned']);
    expect(JSON.stringify(out.workloads[0].violations)).toContain(
      `no signature found: tag ${unsignedTag} of repository ${registry.host}/signet/app`,
    );
  });

  it('a registry that cannot be reached: both Pods could not be judged, exit 3, never "not signed"', async () => {
    signatures = '127.0.0.1:1/signet/app';
    const run = await signet([
      '--output',
      'json',
      'audit',
      '--kubeconfig',
      kubeconfig,
      '--insecure-registry',
      '127.0.0.1:1',
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ judged: 2, conforming: 0, violating: false });
    const violations = out.workloads.flatMap((w: { violations: { code: string }[] }) => w.violations);
    expect(violations.map((v: { code: string }) => v.code)).toEqual(['BACKEND_FAILED', 'BACKEND_FAILED']);
    expect(JSON.stringify(violations)).not.toContain('no signature found');
  });
});
