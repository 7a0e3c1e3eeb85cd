import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_DATA_HOME/signet` (or `~/.local/share/signet`): where `signet` keeps its embedded store. */
export function signetDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'signet');
}

/** The embedded store `signet` writes by default. */
export function defaultStoreUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `sqlite:${join(signetDataDir(env), 'metadata.db')}`;
}

/** The policy folder used when neither --policies nor --kubernetes is given. */
export function defaultPoliciesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(signetDataDir(env), 'policies');
}
