import { z } from 'zod';
import { canonicalRegistryName } from './endpoint.js';
import { RegistryError } from './registry-error.js';

/** A login for one registry: a user and password, or an OAuth2 refresh token (`identitytoken`). */
export type RegistryCredential =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'identity-token'; token: string };

/** The image a credential is asked for: its registry (`docker.io`, `host:port`) and repository path. */
interface CredentialRequest {
  registry: string;
  path: string;
  signal?: AbortSignal;
}

/**
 * Finds the credential for an image, or `undefined` for "not mine". Providers are composed with
 * `credentialChain`: the first that answers wins, and nothing answering means anonymous.
 */
export type CredentialProvider = (
  request: CredentialRequest,
) => RegistryCredential | undefined | Promise<RegistryCredential | undefined>;

/** The first provider that has a credential for the image answers; none: anonymous. */
export function credentialChain(...providers: readonly CredentialProvider[]): CredentialProvider {
  return async (request) => {
    for (const provider of providers) {
      const credential = await provider(request);
      if (credential !== undefined) return credential;
    }
    return undefined;
  };
}

const AuthEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const DockerConfig = z.object({ auths: z.record(z.string(), AuthEntry).optional() });

/**
 * The credentials of a Docker `config.json` (or a Kubernetes `.dockerconfigjson` Secret, which has the
 * same `auths`). Keys are `host[:port]`, optionally with a scheme and a path (`https://index.docker.io/v1/`,
 * `registry.example/team`): the longest key whose path is a prefix of the image's path wins. Throws
 * REGISTRY_CONFIG_INVALID naming `source` when the JSON or an entry is malformed.
 */
export function dockerConfigCredentials(json: string, source: string): CredentialProvider {
  const entries = readDockerConfig(json, source);
  return ({ registry, path }) => {
    const wanted = canonicalRegistryName(registry);
    let best: { prefix: string; credential: RegistryCredential } | undefined;
    for (const entry of entries) {
      if (entry.registry !== wanted) continue;
      if (entry.prefix !== '' && path !== entry.prefix && !path.startsWith(`${entry.prefix}/`)) continue;
      if (best === undefined || entry.prefix.length > best.prefix.length) best = entry;
    }
    return best?.credential;
  };
}

interface ConfigEntry {
  registry: string;
  prefix: string;
  credential: RegistryCredential;
}

function readDockerConfig(json: string, source: string): ConfigEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw configInvalid(source, `it is not JSON (${(error as Error).message})`);
  }
  const config = DockerConfig.safeParse(parsed);
  if (!config.success) throw configInvalid(source, z.prettifyError(config.error));
  return Object.entries(config.data.auths ?? {}).map(([key, entry]) => ({
    ...splitKey(key),
    credential: entryCredential(source, key, entry),
  }));
}

function splitKey(key: string): { registry: string; prefix: string } {
  const withoutScheme = key.replace(/^[a-z]+:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const host = slash < 0 ? withoutScheme : withoutScheme.slice(0, slash);
  let prefix = slash < 0 ? '' : withoutScheme.slice(slash + 1).replace(/\/+$/, '');
  // Docker's legacy key `https://index.docker.io/v1/` and `host/v2/` name the whole registry.
  if (/^v[12]$/.test(prefix)) prefix = '';
  return { registry: canonicalRegistryName(host), prefix };
}

function entryCredential(source: string, key: string, entry: z.infer<typeof AuthEntry>): RegistryCredential {
  if (entry.identitytoken) return { kind: 'identity-token', token: entry.identitytoken };
  if (entry.username !== undefined && entry.password !== undefined) {
    return { kind: 'basic', username: entry.username, password: entry.password };
  }
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0)
      return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    throw configInvalid(source, `auths[${JSON.stringify(key)}].auth is not base64 of USER:PASSWORD`);
  }
  throw configInvalid(
    source,
    `auths[${JSON.stringify(key)}] has neither auth, username/password nor identitytoken`,
  );
}

function configInvalid(source: string, reason: string): RegistryError {
  return new RegistryError(
    'REGISTRY_CONFIG_INVALID',
    `registry credentials ${source} cannot be read: ${reason}`,
    'write it as Docker writes config.json: {"auths": {"HOST[:PORT]": {"auth": "<base64 of USER:PASSWORD>"}}}',
  );
}

const GOOGLE_HOSTS = [/^gcr\.io$/, /^[a-z0-9-]+\.gcr\.io$/, /^[a-z0-9-]+-docker\.pkg\.dev$/];

/**
 * User `oauth2accesstoken` with an access token the caller supplies, for `gcr.io`, `*.gcr.io` and
 * `*-docker.pkg.dev` only (this package never talks to Google). `accessToken` is called for each
 * resolution of a Google image, so it should keep its token until it expires, as google-auth-library
 * does. With `onUnavailable`, a token that cannot be had (no Application Default Credentials) is said
 * there and the image is asked for anonymously, as the kubelet does: public images still resolve,
 * private ones fail with the registry's 401. Without it, the failure is the resolution's.
 */
export function googleCredentials(
  accessToken: (signal?: AbortSignal) => Promise<string>,
  onUnavailable?: (registry: string, error: unknown) => void,
): CredentialProvider {
  return async ({ registry, signal }) => {
    const host = registry.toLowerCase();
    if (!GOOGLE_HOSTS.some((pattern) => pattern.test(host))) return undefined;
    let password: string;
    try {
      password = await accessToken(signal);
    } catch (error) {
      if (!onUnavailable) throw error;
      onUnavailable(registry, error);
      return undefined;
    }
    return { kind: 'basic', username: 'oauth2accesstoken', password };
  };
}
