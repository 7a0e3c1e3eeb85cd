#!/usr/bin/env node
/**
 * The user's guide, signing half, with `signet` on the embedded store: make a key, create the note,
 * print the payload, sign, write the AttestationAuthority the guide's way, verify (and show the "no").
 * Runs in a throw-away HOME so it can be repeated; set SIGNET_DEMO_KEEP=1 to keep it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const signetBin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'signet.js');
const home = mkdtempSync(join(tmpdir(), 'signet-demo-'));
const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data') };
delete env.SIGNET_STORE;
delete env.SIGNET_API;

const image = `gcr.io/demo-project/hello-app@sha256:${'3'.repeat(8)}${'a'.repeat(56)}`;
const unsigned = `gcr.io/demo-project/hello-app@sha256:${'b'.repeat(64)}`;
const note = 'projects/demo-attestors/notes/qa-attestor';
const key = join(home, 'release.key');
let step = 0;

function signet(title, args, expectedCode = 0) {
  step += 1;
  console.log(`\n[${step}] ${title}\n$ signet ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const result = spawnSync(process.execPath, [signetBin, ...args], { env, encoding: 'utf8' });
  process.stdout.write(
    result.stdout.endsWith('\n') || result.stdout === '' ? result.stdout : `${result.stdout}\n`,
  );
  process.stdout.write(result.stderr);
  console.log(`(exit ${result.status})`);
  if (result.status !== expectedCode) {
    console.error(`demo failed: expected exit ${expectedCode}`);
    process.exit(1);
  }
  return result.stdout;
}

try {
  console.log(
    `Signet demo: the guide's signing half on the embedded store (${join(home, 'data', 'signet', 'metadata.db')})`,
  );
  signet('Make a release-engineer PGP key', [
    'keygen',
    '--name',
    'Release Engineer',
    '--email',
    'release@example.com',
    '--out',
    key,
  ]);
  signet('Create the attestation note', [
    'note',
    'create',
    '--project',
    'demo-attestors',
    '--note-id',
    'qa-attestor',
    '--description',
    'QA passed',
  ]);
  signet('The exact bytes that get signed', ['payload', '--image', image]);
  signet('Sign the image by digest and store the attestation', [
    'sign',
    '--image',
    image,
    '--note',
    note,
    '--pgp-key',
    key,
  ]);

  step += 1;
  const authority = join(home, 'qa-attestor.yaml');
  const publicKeyData = readFileSync(`${key}.pub`).toString('base64');
  writeFileSync(
    authority,
    `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: qa-attestor\n  namespace: default\nspec:\n  noteReference: projects/demo-attestors\n  publicKeyData: ${publicKeyData}\n`,
  );
  console.log(
    `\n[${step}] Write the AttestationAuthority as the guide does (publicKeyData: $(base64 -w0 release.key.pub))\n${authority}`,
  );

  signet('Verify the signed image: exit 0', ['verify', '--image', image, '--authority', authority]);
  signet(
    'Verify an image nobody signed: exit 1',
    ['verify', '--image', unsigned, '--authority', authority],
    1,
  );
  console.log('\nDemo complete.');
} finally {
  if (process.env.SIGNET_DEMO_KEEP === '1') console.log(`kept ${home}`);
  else rmSync(home, { recursive: true, force: true });
}
