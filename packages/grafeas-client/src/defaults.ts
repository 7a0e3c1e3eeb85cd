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

/**
 * A command-line flag that says how to reach a metadata store, shared by `signet` and `signet-webhook`
 * so both spell and explain it alike. Plain data: each CLI makes its own options.
 */
export interface StoreFlag {
  /** As commander takes it, e.g. `--store-ca <file>`. */
  flags: string;
  description: string;
  /** The environment variable that sets it. */
  env: string;
}

export const STORE_TLS_FLAGS: readonly StoreFlag[] = [
  {
    flags: '--store-ca <file>',
    description: "an https store: the PEM CA that signed the server's certificate",
    env: 'SIGNET_STORE_CA',
  },
  {
    flags: '--store-cert <file>',
    description: 'an https store that requires client certificates: the PEM certificate',
    env: 'SIGNET_STORE_CERT',
  },
  {
    flags: '--store-key <file>',
    description: 'with --store-cert: its PEM private key',
    env: 'SIGNET_STORE_KEY',
  },
];
