import { spawn } from 'node:child_process';
import { backendError, usageError } from './cli-error.js';

interface GpgRun {
  code: number;
  stdout: Buffer;
  stderr: string;
  status: string[];
}

/** Runs the user's `gpg` (GNUPGHOME and agent honoured), feeding `input`; status lines come on fd 3. */
function runGpg(args: string[], input: Uint8Array | undefined, env: NodeJS.ProcessEnv): Promise<GpgRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('gpg', ['--batch', '--no-tty', '--status-fd', '3', ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const status: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdio[3]?.on('data', (chunk: Buffer) => status.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(gpgMissing(error)));
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8').trim(),
        status: Buffer.concat(status).toString('utf8').split('\n').filter(Boolean),
      }),
    );
    child.stdin?.on('error', () => {}); // gpg may exit before reading everything; its exit code tells why
    child.stdin?.end(input ?? new Uint8Array());
  });
}

function gpgMissing(error: NodeJS.ErrnoException) {
  if (error.code === 'ENOENT') {
    return backendError(
      'GPG_NOT_FOUND',
      'the gpg program was not found on PATH',
      'install GnuPG 2 (e.g. apt-get install gnupg), or sign with --pgp-key FILE instead of --gpg-user',
    );
  }
  return backendError(
    'GPG_FAILED',
    `gpg could not be started: ${error.message}`,
    'check your GnuPG installation',
  );
}

/** `gpg -u UID -a --sign` over the payload: the guide's signature, made with the user's own keyring. */
export async function gpgSignAttached(
  payload: Uint8Array,
  user: string,
  env: NodeJS.ProcessEnv,
): Promise<{ signature: string; keyFingerprint: string }> {
  const result = await runGpg(['--local-user', user, '--armor', '--sign'], payload, env);
  const created = result.status.find((line) => line.startsWith('[GNUPG:] SIG_CREATED '));
  if (result.code !== 0 || !created) throw signFailure(result, user);
  const signingFingerprint = (created.trim().split(/\s+/).at(-1) ?? '').toUpperCase();
  const keyFingerprint = (await primaryFingerprint(signingFingerprint, env)) ?? signingFingerprint;
  return { signature: result.stdout.toString('utf8'), keyFingerprint };
}

/** The primary key of a (sub)key: the first `fpr` record of `gpg --with-colons --list-keys`. */
async function primaryFingerprint(fingerprint: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const listing = await runGpg(['--with-colons', '--list-keys', fingerprint], undefined, env);
  const line = listing.stdout
    .toString('utf8')
    .split('\n')
    .find((record) => record.startsWith('fpr:'));
  return line?.split(':')[9]?.toUpperCase() || undefined;
}

function signFailure(result: GpgRun, user: string) {
  const detail = result.stderr || result.status.join('; ');
  if (result.status.some((line) => line.startsWith('[GNUPG:] INV_SGNR'))) {
    return usageError(
      'GPG_SECRET_KEY_NOT_FOUND',
      `gpg has no usable secret key for "${user}" (${detail})`,
      'check `gpg --list-secret-keys`, give a user id or fingerprint from it with --gpg-user, or set GNUPGHOME',
    );
  }
  if (/bad passphrase|no pinentry|inappropriate ioctl|canceled/i.test(detail)) {
    return usageError(
      'GPG_PASSPHRASE_UNAVAILABLE',
      `gpg could not unlock the key of "${user}": ${detail}`,
      'unlock it in gpg-agent first (e.g. sign once interactively, or preset the passphrase), or use --pgp-key FILE with --pgp-passphrase-env VAR',
    );
  }
  return backendError(
    'GPG_FAILED',
    `gpg failed to sign with "${user}": ${detail}`,
    'run the same gpg command by hand to see why',
  );
}

/** `gpg --export --armor FPR`: the public key of the user's keyring, for checking a signature. */
export async function gpgExportPublicKey(fingerprint: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runGpg(['--armor', '--export', fingerprint], undefined, env);
  const armored = result.stdout.toString('utf8');
  if (result.code !== 0 || !armored.includes('BEGIN PGP PUBLIC KEY BLOCK')) {
    throw usageError(
      'GPG_PUBLIC_KEY_NOT_FOUND',
      `your GnuPG keyring has no public key ${fingerprint}${result.stderr ? ` (${result.stderr})` : ''}`,
      'import it with `gpg --import KEY.pub`, or pass the key file with --public-key FILE',
    );
  }
  return armored;
}
