import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../guide-commands.js';

/** The workspace's own `signet` (apps/signer, built by `pnpm build`), run on the host to make fixtures. */
const SIGNER_BIN = join(REPO_ROOT, 'apps', 'signer', 'bin', 'signet.js');

const PROJECT = 'images-test';
/** The authority's name is its note's id (noteReference names the project only). */
const AUTHORITY = 'qa-attestor';
export const SIGNED_IMAGE = `registry.example/shop/web@sha256:${'a1'.repeat(32)}`;
export const UNSIGNED_IMAGE = `registry.example/shop/cart@sha256:${'b2'.repeat(32)}`;

export interface SignedStore {
  /** The SQLite store file (`sqlite:PATH`), in `dir`, holding the note and SIGNED_IMAGE's attestation. */
  storeFile: string;
  /** An AttestationAuthority YAML (noteReference projects/PROJECT, the PGP public key). */
  authorityFile: string;
}

/**
 * A SQLite store made by the workspace signer, as a user would: a PGP key, the note, SIGNED_IMAGE signed;
 * UNSIGNED_IMAGE is not. The authority that trusts the key sits beside it.
 */
export async function makeSignedStore(dir: string): Promise<SignedStore> {
  const storeFile = join(dir, 'metadata.db');
  const key = join(dir, 'qa.asc');
  const signer = (args: string[]) => runSigner(['--store', `sqlite:${storeFile}`, ...args]);
  await signer(['keygen', '--name', 'QA', '--email', 'qa@example.com', '--type', 'ed25519', '--out', key]);
  await signer(['note', 'create', '--project', PROJECT, '--note-id', AUTHORITY]);
  await signer([
    'sign',
    '--image',
    SIGNED_IMAGE,
    '--note',
    `projects/${PROJECT}/notes/${AUTHORITY}`,
    '--project',
    PROJECT,
    '--pgp-key',
    key,
  ]);
  const publicKey = await readFile(`${key}.pub`);
  const authorityFile = join(dir, 'authority.yaml');
  await writeFile(authorityFile, authorityYaml(publicKey));
  return { storeFile, authorityFile };
}

/** The AttestationAuthority (in the guide's form: noteReference projects/P, base64 publicKeyData). */
function authorityYaml(publicKey: Buffer): string {
  return kritisYaml(
    'AttestationAuthority',
    AUTHORITY,
    `  noteReference: projects/${PROJECT}\n  publicKeyData: ${publicKey.toString('base64')}\n`,
  );
}

/** A GenericAttestationPolicy requiring AUTHORITY's attestation (its namespace: the folder it sits in). */
export function requireAttestationYaml(): string {
  return kritisYaml(
    'GenericAttestationPolicy',
    'require-qa',
    `  attestationAuthorityNames:\n  - ${AUTHORITY}\n`,
  );
}

function kritisYaml(kind: string, name: string, spec: string): string {
  return `apiVersion: kritis.grafeas.io/v1beta1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

function runSigner(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SIGNER_BIN, ...args],
      { encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `signet ${args.join(' ')} failed (run \`pnpm build\` first?): ${stderr || error.message}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}
