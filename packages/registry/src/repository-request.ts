import type { Authorizations } from './auth.js';
import { parseChallenges } from './challenge.js';
import type { RegistryCredential } from './credentials.js';
import type { RegistryEndpoint } from './endpoint.js';
import { type HttpResponse, send } from './http.js';

/** One repository of a registry, and what every request to it needs: the credential, its auth, the CA. */
export interface RepositoryAccess {
  endpoint: RegistryEndpoint;
  path: string;
  credential: RegistryCredential | undefined;
  auth: Authorizations;
  ca: string | Buffer | undefined;
}

/**
 * A request for `/v2/<path>/<rest>`, with the authorization an earlier challenge earned; a 401 is
 * answered (Basic, or a Bearer token for the repository) and the request sent once more.
 */
export async function repositoryRequest(
  access: RepositoryAccess,
  method: 'HEAD' | 'GET',
  rest: string,
  accept: string | undefined,
  signal: AbortSignal,
): Promise<HttpResponse> {
  const url = new URL(`/v2/${access.path}/${rest}`, access.endpoint.origin);
  const target = {
    registry: access.endpoint.registry,
    origin: access.endpoint.origin,
    path: access.path,
    credential: access.credential,
    signal,
    ca: access.ca,
  };
  const headers: Record<string, string> = accept === undefined ? {} : { accept };
  const request = {
    method,
    url,
    headers,
    signal,
    ca: access.ca,
    registry: access.endpoint.registry,
  };
  const authorization = access.auth.cached(target);
  const first = await send({ ...request, ...(authorization ? { authorization } : {}) });
  if (first.status !== 401) return first;
  const challenges = parseChallenges(header(first, 'www-authenticate') ?? '');
  return send({ ...request, authorization: await access.auth.answer(target, challenges) });
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
