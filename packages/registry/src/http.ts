import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { RegistryError } from './registry-error.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: URL;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  url: URL;
  headers: Record<string, string>;
  /** Sent only to `url`'s own origin: dropped when a redirect leads to another scheme, host or port. */
  authorization?: string;
  body?: string | Uint8Array;
  signal: AbortSignal;
  /** Extra trusted CAs (PEM), added to Node's own roots. */
  ca?: string | Buffer | undefined;
  /** The registry being talked to, for error messages. */
  registry: string;
}

/** A manifest or token response larger than this is refused (distribution caps manifests at 4 MiB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/**
 * One HTTP exchange, following redirects by hand so that the credential never leaves the origin it was
 * meant for, and never downgrades HTTPS to HTTP.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let authorization = req.authorization;
  let method = req.method;
  for (let hop = 0; ; hop++) {
    const response = await once(req, method, url, authorization);
    const location = response.headers.location;
    if (![301, 302, 303, 307, 308].includes(response.status) || location === undefined) return response;
    if (hop >= MAX_REDIRECTS) throw badResponse(req, `more than ${MAX_REDIRECTS} redirects`, response.status);
    const next = new URL(location, url);
    if (url.protocol === 'https:' && next.protocol !== 'https:') {
      throw badResponse(
        req,
        `a redirect from HTTPS to ${next.protocol} (${next.origin}) was refused`,
        response.status,
      );
    }
    if (next.origin !== url.origin) authorization = undefined;
    if (response.status === 303 && method === 'POST') method = 'GET';
    url = next;
  }
}

function once(
  req: HttpRequest,
  method: string,
  url: URL,
  authorization: string | undefined,
): Promise<HttpResponse> {
  const headers = { ...req.headers, ...(authorization === undefined ? {} : { authorization }) };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method, headers, signal: req.signal, ...(req.ca ? { ca: withSystemRoots(req.ca) } : {}) },
      (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            incoming.destroy();
            reject(
              badResponse(
                req,
                `a response from ${url.origin} is larger than ${MAX_BODY_BYTES} bytes`,
                incoming.statusCode,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks),
            url,
          }),
        );
        incoming.on('error', (error) => reject(transportError(req, url, error)));
      },
    );
    outgoing.on('error', (error) => reject(transportError(req, url, error)));
    outgoing.end(req.body);
  });
}

let systemRoots: string[] | undefined;

/** `ca` replaces Node's roots; a private CA is meant to be added to them. */
function withSystemRoots(ca: string | Buffer): (string | Buffer)[] {
  systemRoots ??= [...rootCertificates];
  return [...systemRoots, ca];
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

function transportError(req: HttpRequest, url: URL, error: Error): RegistryError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (req.signal.aborted || error.name === 'AbortError') return timeout(req, url, error);
  if (TLS_TRUST_CODES.has(code)) {
    return new RegistryError(
      'REGISTRY_TLS_UNTRUSTED',
      `registry ${req.registry}: the TLS certificate of ${url.host} is not trusted (${code}: ${error.message})`,
      `give the registry's CA certificate (PEM) with the registry CA option (--registry-ca FILE), or fix the certificate's name and dates; plain HTTP only for a registry listed as insecure`,
      { registry: req.registry, cause: error },
    );
  }
  return new RegistryError(
    'REGISTRY_UNREACHABLE',
    `registry ${req.registry}: ${url.origin} cannot be reached (${code || error.name}: ${error.message})`,
    `check that ${url.host} is the registry's address and reachable from here (DNS, firewall, proxy); a registry served over plain HTTP must be listed as insecure (--insecure-registry ${req.registry})`,
    { registry: req.registry, cause: error },
  );
}

function timeout(req: HttpRequest, url: URL, error: unknown): RegistryError {
  return new RegistryError(
    'REGISTRY_TIMEOUT',
    `registry ${req.registry}: no answer from ${url.origin} before the deadline`,
    'check the registry is up and reachable; allow more time (a longer timeout) if it is only slow',
    { registry: req.registry, cause: error },
  );
}

function badResponse(req: HttpRequest, reason: string, status: number | undefined): RegistryError {
  return new RegistryError(
    'REGISTRY_BAD_RESPONSE',
    `registry ${req.registry}: ${reason}`,
    'the registry or a proxy in front of it answered outside the Distribution API; check its address and version',
    { registry: req.registry, ...(status === undefined ? {} : { status }) },
  );
}
