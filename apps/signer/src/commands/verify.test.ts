import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const image = `us-docker.pkg.dev/my-proj/repo/app@sha256:${'7'.repeat(64)}`;

let sandbox: Sandbox;
let pgpAuthority: string;
let pkixAuthority: string;
const signet = (args: string[]) => runSignet(args, sandbox.env);
/** `signet sign` of `target` under the note named `noteId`, with the key flags given. */
const sign = (target: string, noteId: string, ...keyFlags: string[]) =>
  signet(['sign', '--image', target, '--note', `projects/attestors/notes/${noteId}`, ...keyFlags]);
const verifyBothArgs = () => [
  'verify',
  '--image',
  image,
  '--authority',
  pgpAuthority,
  '--authority',
  pkixAuthority,
];

function authorityYaml(name: string, spec: string): string {
  return `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: ${name}\nspec:\n  noteReference: projects/attestors/notes/${name}\n${spec}`;
}

beforeAll(async () => {
  sandbox = createSandbox();
  for (const id of ['pgp-qa', 'pkix-build']) {
    expect((await signet(['note', 'create', '--project', 'attestors', '--note-id', id])).code).toBe(0);
  }
  const key = sandbox.path('qa.key');
  expect((await signet(['keygen', '--name', 'QA', '--email', 'qa@example.com', '--out', key])).code).toBe(0);
  const fingerprint = JSON.parse(
    (
      await signet([
        '--output',
        'json',
        'keygen',
        '--name',
        'X',
        '--email',
        'x@example.com',
        '--out',
        sandbox.path('x.key'),
      ])
    ).stdout,
  ).fingerprint;
  expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);
  pgpAuthority = sandbox.write(
    'pgp.yaml',
    authorityYaml(
      'pgp-qa',
      `  publicKeys:\n  - keyType: PGP\n    asciiArmoredPgpPublicKey: ${readFileSync(`${key}.pub`).toString('base64')}\n`,
    ),
  );
  const pem = readFileSync(join(kritisSigner, 'ec_public.pem'), 'utf8').trim().split('\n').join('\n        ');
  pkixAuthority = sandbox.write(
    'pkix.yaml',
    authorityYaml(
      'pkix-build',
      `  publicKeys:\n  - keyType: PKIX\n    pkixPublicKey:\n      signatureAlgorithm: ECDSA_P256_SHA256\n      publicKeyPem: |\n        ${pem}\n`,
    ),
  );
});
afterAll(() => sandbox.cleanup());

describe('signet verify with several authorities', () => {
  it('exits 1 while one of them has not attested, naming it', async () => {
    const signed = await sign(image, 'pgp-qa', '--pgp-key', sandbox.path('qa.key'));
    expect(signed.code).toBe(0);
    const run = await signet(verifyBothArgs());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ {2}ok {3}AttestationAuthority pgp-qa /m);
    expect(run.stdout).toMatch(/^ {2}FAIL AttestationAuthority pkix-build .*no attestation for this image$/m);
  });

  it('exits 0 once the PKIX authority attested too (ECDSA, default ni:/// key id)', async () => {
    const signed = await sign(
      image,
      'pkix-build',
      '--pkix-key',
      join(kritisSigner, 'ec_private.pem'),
      '--pkix-algorithm',
      'ECDSA_P256_SHA256',
    );
    expect(signed.code).toBe(0);
    const run = await signet(['--output', 'json', ...verifyBothArgs()]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.attested).toBe(true);
    expect(out.authorities[1].keyId).toMatch(/^ni:\/\/\/sha-256;/);
  });

  it("rejects an attestation on the authority's note signed by a stranger's key, saying why", async () => {
    const other = `us-docker.pkg.dev/my-proj/repo/app@sha256:${'8'.repeat(64)}`;
    const signed = await sign(other, 'pgp-qa', '--pgp-key', sandbox.path('x.key'));
    expect(signed.code).toBe(0);
    const run = await signet(['verify', '--image', other, '--authority', pgpAuthority]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('1 attestation(s), none valid');
    expect(run.stdout).toContain("which is not one of AttestationAuthority pgp-qa's keys");
  });
});
