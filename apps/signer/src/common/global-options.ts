import type { ApiVersion } from '@signet/grafeas-client';
import { defaultStoreUrl } from '@signet/grafeas-client/defaults';

type OutputFormat = 'text' | 'json';

/** The options every command accepts, after commander applied flags and environment variables. */
export interface GlobalOptions {
  store: string;
  api: ApiVersion;
  output: OutputFormat;
  /** PEM files for an https store: the CA to trust, the client certificate and key it requires. */
  storeTls: StoreTlsFiles;
  /** Where the progress of whole-project scans goes: only to a terminal, and never under --quiet. */
  scanProgress?: (line: string, done: boolean) => void;
}

export interface StoreTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * `apiDefaulted`: neither --api nor SIGNET_API was given. Open-source Grafeas serves v1beta1 only, so a
 * `grafeas:` store then talks v1beta1 rather than failing on the v1 default.
 */
export function resolveGlobalOptions(
  raw: {
    store?: string;
    api?: string;
    output?: string;
    storeCa?: string;
    storeCert?: string;
    storeKey?: string;
  },
  env: NodeJS.ProcessEnv = process.env,
  apiDefaulted = false,
): GlobalOptions {
  const store = raw.store && raw.store.length > 0 ? raw.store : defaultStoreUrl(env);
  const api = raw.api === 'v1beta1' || (apiDefaulted && store.startsWith('grafeas:')) ? 'v1beta1' : 'v1';
  const storeTls: StoreTlsFiles = {
    ...(raw.storeCa ? { ca: raw.storeCa } : {}),
    ...(raw.storeCert ? { cert: raw.storeCert } : {}),
    ...(raw.storeKey ? { key: raw.storeKey } : {}),
  };
  return { store, api, output: raw.output === 'json' ? 'json' : 'text', storeTls };
}
