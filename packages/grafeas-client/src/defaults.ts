import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * `$XDG_DATA_HOME/signet` (or `~/.local/share/signet`): where the signer and the webhook keep the embedded
 * store when no `--store` is given. Its own entry point (`@signet/grafeas-client/defaults`) loads no
 * SQLite or HTTP code, so CLIs can print it in `--help`.
 */
export function signetDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'signet');
}

/** The embedded store used when no `--store` is given. */
export function defaultStoreUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `sqlite:${join(signetDataDir(env), 'metadata.db')}`;
}
