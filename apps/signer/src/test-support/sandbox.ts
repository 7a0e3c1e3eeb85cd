import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away HOME with its own XDG data dir and GnuPG home, so tests never touch the user's. */
export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  path(name: string): string;
  write(name: string, content: string | Uint8Array): string;
  /** Runs gpg in this sandbox's GNUPGHOME. */
  gpg(args: string[], input?: string | Uint8Array): Buffer;
  cleanup(): void;
}

export function createSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  const gnupgHome = join(dir, 'gnupg');
  execFileSync('mkdir', ['-m', '700', gnupgHome]);
  const env: NodeJS.ProcessEnv = {
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    GNUPGHOME: gnupgHome,
  };
  const gpg = (args: string[], input?: string | Uint8Array) =>
    execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', ...args], {
      env: { PATH: process.env.PATH, ...env },
      input: input ?? '',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  return {
    dir,
    env,
    path: (name) => join(dir, name),
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    gpg,
    cleanup: () => {
      try {
        // By --homedir, so the agent of exactly this home goes, whatever the environment says.
        execFileSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all'], { stdio: 'ignore' });
      } catch {
        // no agent was started
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Makes an unprotected ed25519 signing key in the sandbox's keyring; returns its fingerprint. */
export function gpgGenerateKey(sandbox: Sandbox, userId: string): string {
  sandbox.gpg(['--passphrase', '', '--quick-gen-key', userId, 'ed25519', 'sign', 'never']);
  const listing = sandbox.gpg(['--with-colons', '--list-keys', userId]).toString('utf8');
  const fpr = listing.split('\n').find((line) => line.startsWith('fpr:'));
  if (!fpr) throw new Error(`no fingerprint for ${userId}`);
  return fpr.split(':')[9] ?? '';
}

export const testDigest = `sha256:${'ab'.repeat(32)}`;
