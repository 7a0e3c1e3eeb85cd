import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../guide-commands.js';

/** The Grafeas note the release attestation is made against, and the authority named after it (Kritis's rule). */
export const RELEASE_NOTE = { project: 'signet-release', id: 'release-qa' } as const;
export const RELEASE_NOTE_NAME = `projects/${RELEASE_NOTE.project}/notes/${RELEASE_NOTE.id}`;

const SIGNET_BIN = join(REPO_ROOT, 'apps', 'signer', 'bin', 'signet.js');
/** cosign's key file is always encrypted; the demo's password is not a secret. */
const COSIGN_PASSWORD = 'signet-release-demo';

export interface SignerSetup {
  /** Where the keys go. */
  dir: string;
  /** The embedded store the webhook will read (`sqlite:` file). */
  storeFile: string;
  registryConfigFile: string;
  registryCaFile: string;
  log: (line: string) => void;
}

/**
 * The release engineer's side: `signet` (this checkout's, built) with a PGP key and a cosign key, in
 * `dir` as the README names them (`release.key`, `release.key.pub`, `cosign.key`, `cosign.pub`).
 */
export interface ReleaseSigner {
  /** Signs `image` (pinned by digest) both ways: a Grafeas attestation in the store, a cosign signature in the registry. */
  sign(image: string): Promise<void>;
}

export async function prepareSigner(setup: SignerSetup): Promise<ReleaseSigner> {
  const signet = signetIn(setup);
  const pgpKey = join(setup.dir, 'release.key');
  const cosignPrefix = join(setup.dir, 'cosign');
  await signet('keygen', '--name', 'Signet Release', '--email', 'release@signet.example', '--out', pgpKey);
  await signet('note', 'create', '--project', RELEASE_NOTE.project, '--note-id', RELEASE_NOTE.id);
  await signet('keygen', '--cosign', '--output-key-prefix', cosignPrefix);
  const registry = ['--registry-config', setup.registryConfigFile, '--registry-ca', setup.registryCaFile];
  return {
    sign: async (image) => {
      await signet('sign', '--image', image, '--note', RELEASE_NOTE_NAME, '--pgp-key', pgpKey);
      await signet('sign', '--image', image, '--cosign-key', `${cosignPrefix}.key`, ...registry);
    },
  };
}

/** Runs `signet ARGS` on the store, printing the command and what it said; a failure throws with its output. */
function signetIn(setup: SignerSetup): (...args: string[]) => Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: setup.dir,
    SIGNET_STORE: `sqlite:${setup.storeFile}`,
    COSIGN_PASSWORD,
  };
  delete env.SIGNET_API;
  return (...args) =>
    new Promise((resolve, reject) => {
      setup.log(`$ signet ${args.map(quoted).join(' ')}`);
      execFile(
        process.execPath,
        [SIGNET_BIN, ...args],
        { env, encoding: 'utf8' },
        (error, stdout, stderr) => {
          for (const line of `${stdout}${stderr}`.split('\n').filter(Boolean)) setup.log(`  ${line}`);
          if (error)
            reject(new Error(`signet ${args.join(' ')} failed (${error.code}): ${stderr || stdout}`));
          else resolve();
        },
      );
    });
}

function quoted(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`;
}
