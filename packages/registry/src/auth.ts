import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuthChallenge } from './challenge.js';
import type { RegistryCredential } from './credentials.js';
import { denied, unauthorized } from './errors-http.js';
import { send } from './http.js';
import { RegistryError } from './registry-error.js';

/** What one request for a repository's manifests needs to authenticate. */
export interface AuthTarget {
  registry: string;
  /** The registry's own origin: `https://host[:port]`. */
  origin: string;
  path: string;
  credential: RegistryCredential | undefined;
  signal: AbortSignal;
  ca: string | Buffer | undefined;
  /** What the token must allow: `pull` (reads), or `pull,push` (writing cosign signatures). */
  actions?: RepositoryActions;
}

export type RepositoryActions = 'pull' | 'pull,push';

export interface AuthSettings {
  now: () => number;
  /** Per registry (as images name it), other host names its token realm may be on and receive its credentials. */
  realmHosts: ReadonlyMap<string, readonly string[]>;
  /** `host[:port]` served over plain HTTP, where a realm may be `http://` too. */
  insecureRegistries: ReadonlySet<string>;
}

/** Docker's token spec: a token without `expires_in` lives 60 s, and no token less. */
const MIN_TOKEN_SECONDS = 60;
/** Renew this much before the stated expiry, for clock skew and the time of the request. */
const EXPIRY_MARGIN_MS = 10_000;
const MAX_CACHED = 1_000;

const TokenResponse = z.object({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
});

/** Authorization headers by repository and credential, each until its token expires. */
export class Authorizations {
  readonly #cache = new Map<string, { header: string; expiresAt: number }>();

  constructor(private readonly settings: AuthSettings) {}

  /** The header to send first, when an earlier challenge for the same repository and credential was met. */
  cached(target: AuthTarget): string | undefined {
    const key = cacheKey(target);
    const entry = this.#cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.settings.now()) return entry.header;
    this.#cache.delete(key);
    return undefined;
  }

  /** Answers a 401's challenges: a Basic header, or a Bearer token from the realm. */
  async answer(target: AuthTarget, challenges: AuthChallenge[]): Promise<string> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const where = `${target.registry}/${target.path}`;
    let answer: { header: string; expiresAt: number };
    if (bearer !== undefined) {
      answer = await this.#token(target, bearer);
    } else if (basic !== undefined && target.credential?.kind === 'basic') {
      answer = { header: basicHeader(target.credential), expiresAt: Number.POSITIVE_INFINITY };
    } else if (basic !== undefined) {
      throw unauthorized(target.registry, 401, target.credential === undefined, where);
    } else {
      throw new RegistryError(
        'REGISTRY_BAD_RESPONSE',
        `registry ${target.registry} answered 401 for ${where} without a Basic or Bearer challenge`,
        'the registry or a proxy in front of it answered outside the Distribution API; check its address',
        { registry: target.registry, status: 401 },
      );
    }
    if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(cacheKey(target), answer);
    return answer.header;
  }

  async #token(target: AuthTarget, challenge: AuthChallenge): Promise<{ header: string; expiresAt: number }> {
    const realm = this.#realm(target, challenge);
    const scope = `repository:${target.path}:${target.actions ?? 'pull'}`;
    const service = challenge.params.service;
    const credential = target.credential;
    const started = this.settings.now();
    let response: Awaited<ReturnType<typeof send>>;
    if (credential?.kind === 'identity-token') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.token,
        client_id: 'signet',
        scope,
        ...(service === undefined ? {} : { service }),
      });
      response = await send({
        method: 'POST',
        url: realm,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: target.signal,
        ca: target.ca,
        registry: target.registry,
      });
    } else {
      const url = new URL(realm);
      if (service !== undefined) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      response = await send({
        method: 'GET',
        url,
        headers: {},
        ...(credential === undefined ? {} : { authorization: basicHeader(credential) }),
        signal: target.signal,
        ca: target.ca,
        registry: target.registry,
      });
    }
    const where = `${target.registry}/${target.path} (token from ${realm.origin})`;
    if (response.status === 401) throw unauthorized(target.registry, 401, credential === undefined, where);
    if (response.status === 403) throw denied(target.registry, 403, where);
    const parsed = response.status === 200 ? readToken(response.body) : undefined;
    if (parsed === undefined) {
      throw new RegistryError(
        'REGISTRY_BAD_RESPONSE',
        `registry ${target.registry}: the token service ${realm.origin} answered HTTP ${response.status} without a token`,
        "check the token service named in the registry's WWW-Authenticate realm",
        { registry: target.registry, status: response.status },
      );
    }
    const lifetime = Math.max(parsed.expiresIn ?? MIN_TOKEN_SECONDS, MIN_TOKEN_SECONDS) * 1000;
    return { header: `Bearer ${parsed.token}`, expiresAt: started + lifetime - EXPIRY_MARGIN_MS };
  }

  /**
   * The realm URL, if this registry's credential may go there. A credential is sent to the realm only
   * over HTTPS (plain HTTP only for a registry listed as insecure) and only when the realm is on the
   * registry's own host name (any port) or on a host allowed for it in `realmHosts` (Docker Hub's
   * `auth.docker.io`). Token requests without a credential may go to any realm: they carry nothing.
   */
  #realm(target: AuthTarget, challenge: AuthChallenge): URL {
    const where = `${target.registry}/${target.path}`;
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm ?? '');
    } catch {
      throw new RegistryError(
        'REGISTRY_BAD_RESPONSE',
        `registry ${target.registry} asked for a Bearer token for ${where} without a valid realm URL (${JSON.stringify(challenge.params.realm ?? '')})`,
        "check the registry's auth.token.realm setting",
        { registry: target.registry, status: 401 },
      );
    }
    const registryHostname = new URL(target.origin).hostname;
    const allowed = this.settings.realmHosts.get(target.registry) ?? [];
    const sameHost = realm.hostname === registryHostname || allowed.includes(realm.hostname);
    const secure = realm.protocol === 'https:' || this.settings.insecureRegistries.has(target.registry);
    if (target.credential !== undefined && !(secure && sameHost)) {
      throw new RegistryError(
        'REGISTRY_REALM_UNTRUSTED',
        `registry ${target.registry} sends its login to ${realm.origin}; its credentials were not sent there (${secure ? 'another host' : 'not HTTPS'})`,
        `if ${realm.host} is ${target.registry}'s own token service, allow it for this registry (realmHosts); otherwise check the registry's address`,
        { registry: target.registry, status: 401 },
      );
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new RegistryError(
        'REGISTRY_BAD_RESPONSE',
        `registry ${target.registry} names a token realm that is not HTTP(S): ${realm.origin}`,
        "check the registry's auth.token.realm setting",
        { registry: target.registry, status: 401 },
      );
    }
    return realm;
  }
}

function readToken(body: Buffer): { token: string; expiresIn: number | undefined } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = TokenResponse.safeParse(json);
  const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  return token === undefined ? undefined : { token, expiresIn: parsed.data?.expires_in };
}

function basicHeader(credential: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

function cacheKey(target: AuthTarget): string {
  return `${target.origin} ${target.path} ${target.actions ?? 'pull'} ${credentialId(target.credential)}`;
}

/** Tells credentials apart without keeping them readable as a map key. */
export function credentialId(credential: RegistryCredential | undefined): string {
  if (credential === undefined) return 'anonymous';
  return createHash('sha256').update(JSON.stringify(credential)).digest('hex').slice(0, 32);
}
