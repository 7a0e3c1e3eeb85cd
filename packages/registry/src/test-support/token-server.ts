import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TokenServerOptions {
  certFile: string;
  keyFile: string;
  /** The signing certificate and key: the registry's `rootcertbundle` trusts this certificate. */
  signer: { certPem: string; keyPem: string };
  issuer: string;
  service: string;
  username: string;
  password: string;
  expiresIn?: number;
}

export interface RunningTokenServer {
  port: number;
  /** Token requests answered with a token. */
  issued(): number;
  /** The Authorization header of every request, in order (`undefined` when none was sent). */
  authorizations(): (string | undefined)[];
  stop(): Promise<void>;
}

/**
 * Docker's token service, small: checks Basic credentials, then issues an ES256 JWT with an `x5c`
 * header granting what the `scope` parameters ask for, as distribution's `auth.token` verifies it.
 */
export function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  let issued = 0;
  const authorizations: (string | undefined)[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const server: Server = createServer(
    { cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) },
    (request, response) => {
      authorizations.push(request.headers.authorization);
      const url = new URL(request.url ?? '/', 'https://token.invalid');
      if (request.headers.authorization !== expected) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      const service = url.searchParams.get('service');
      if (service !== options.service) {
        response.writeHead(400).end(`unknown service ${service}`);
        return;
      }
      issued++;
      const token = jwt(options, url.searchParams.getAll('scope'));
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token,
          expires_in: options.expiresIn ?? 300,
          issued_at: new Date().toISOString(),
        }),
      );
    },
  );
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        issued: () => issued,
        authorizations: () => [...authorizations],
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function jwt(options: TokenServerOptions, scopes: string[]): string {
  const der = new X509Certificate(options.signer.certPem).raw.toString('base64');
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'ES256', x5c: [der] };
  const claims = {
    iss: options.issuer,
    sub: options.username,
    aud: options.service,
    exp: now + (options.expiresIn ?? 300),
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access: scopes.flatMap(readScope),
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: createPrivateKey(options.signer.keyPem),
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

/** `repository:team/app:pull,push` → one access entry. */
function readScope(scope: string) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return [];
  return [
    {
      type: scope.slice(0, first),
      name: scope.slice(first + 1, last),
      actions: scope.slice(last + 1).split(','),
    },
  ];
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
