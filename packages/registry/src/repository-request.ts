import type { Authorizations, RepositoryActions } from './auth.js';
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
  /** `pull,push` when the requests write (a token asked for with push scope); default `pull`. */
  actions?: RepositoryActions;
}

/** A write's body and its type. */
export interface RequestBody {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * A request for `/v2/<path>/<rest>` (or for `url`, an upload location the registry named), with the
 * authorization an earlier challenge earned; a 401 is answered (Basic, or a Bearer token for the
 * repository) and the request sent once more. The authorization goes only to the registry's own origin.
 */
export async function repositoryRequest(
  access: RepositoryAccess,
  method: 'HEAD' | 'GET' | 'POST' | 'PUT',
  rest: string | URL,
  accept: string | undefined,
  signal: AbortSignal,
  body?: RequestBody,
): Promise<HttpResponse> {
  const url = typeof rest === 'string' ? new URL(`/v2/${access.path}/${rest}`, access.endpoint.origin) : rest;
  const target = {
    registry: access.endpoint.registry,
    origin: access.endpoint.origin,
    path: access.path,
    credential: access.credential,
    signal,
    ca: access.ca,
    ...(access.actions === undefined ? {} : { actions: access.actions }),
  };
  const headers: Record<string, string> = accept === undefined ? {} : { accept };
  if (body !== undefined) {
    headers['content-type'] = body.contentType;
    headers['content-length'] = String(body.bytes.byteLength);
  }
  const request = {
    method,
    url,
    headers,
    signal,
    ca: access.ca,
    registry: access.endpoint.registry,
    ...(body === undefined ? {} : { body: body.bytes }),
  };
  const ownOrigin = url.origin === access.endpoint.origin;
  const authorization = ownOrigin ? access.auth.cached(target) : undefined;
  const first = await send({ ...request, ...(authorization ? { authorization } : {}) });
  if (first.status !== 401 || !ownOrigin) return first;
  const challenges = parseChallenges(header(first, 'www-authenticate') ?? '');
  return send({ ...request, authorization: await access.auth.answer(target, challenges) });
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
