import { afterEach, describe, expect, it } from 'vitest';
import { Authorizations } from './auth.js';
import { createRegistryClient } from './client.js';
import { dockerConfigCredentials } from './credentials.js';
import { RegistryError } from './registry-error.js';
import { fakeManifest } from './test-support/fake-manifest.js';
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js';

// A credential goes only to the host it belongs to: loopback stand-ins on two host names (127.0.0.1 and
// localhost) record what each one receives.

const USER = 'alice';
const PASSWORD = 's3cret';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const manifest = fakeManifest();

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function start(handler: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

function serveManifest(res: import('node:http').ServerResponse, method: string | undefined) {
  res.writeHead(200, { 'content-type': manifest.mediaType, 'docker-content-digest': manifest.digest });
  res.end(method === 'HEAD' ? undefined : manifest.body);
}

function credentialsFor(host: string) {
  return dockerConfigCredentials(
    JSON.stringify({ auths: { [host]: { username: USER, password: PASSWORD } } }),
    'test',
  );
}

describe('redirects', () => {
  it('a redirect to another host gets no credential; the registry itself got it', async () => {
    const other = await start((req, res) => serveManifest(res, req.method));
    const registry = await start((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      res.writeHead(307, { location: `http://localhost:${other.port}/v2/app/manifests/v1` }).end();
    });
    const host = `127.0.0.1:${registry.port}`;
    const resolved = await createRegistryClient({
      insecureRegistries: [host],
      credentials: credentialsFor(host),
    }).resolve(`${host}/app:v1`);
    expect(resolved.digest).toBe(manifest.digest);
    expect(registry.seen.map((r) => r.authorization)).toEqual([undefined, BASIC]);
    expect(other.seen.length).toBeGreaterThan(0);
    expect(other.seen.map((r) => r.authorization)).toEqual(other.seen.map(() => undefined));
  });

  it('a redirect within the same origin keeps the credential', async () => {
    const registry = await start((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
      } else if (req.url?.startsWith('/v2/')) {
        res.writeHead(307, { location: '/moved/app/v1' }).end();
      } else {
        serveManifest(res, req.method);
      }
    });
    const host = `127.0.0.1:${registry.port}`;
    const resolved = await createRegistryClient({
      insecureRegistries: [host],
      credentials: credentialsFor(host),
    }).resolve(`${host}/app:v1`);
    expect(resolved.digest).toBe(manifest.digest);
    expect(registry.seen.map((r) => [r.path, r.authorization])).toEqual([
      ['/v2/app/manifests/v1', undefined],
      ['/v2/app/manifests/v1', BASIC],
      ['/moved/app/v1', BASIC],
    ]);
  });
});

describe('Bearer realms', () => {
  async function bearerRegistry(realmHost: 'localhost' | '127.0.0.1') {
    const tokens = await start((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: 'tok', expires_in: 300 }));
    });
    const registry = await start((req, res) => {
      if (req.headers.authorization !== 'Bearer tok') {
        const realm = `http://${realmHost}:${tokens.port}/token`;
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${realm}",service="svc",scope="repository:app:pull"`,
          })
          .end();
        return;
      }
      serveManifest(res, req.method);
    });
    return { tokens, registry, host: `127.0.0.1:${registry.port}` };
  }

  it("a realm on another host name never receives the registry's credential: REGISTRY_REALM_UNTRUSTED", async () => {
    const { tokens, host } = await bearerRegistry('localhost');
    const error = await createRegistryClient({
      insecureRegistries: [host],
      credentials: credentialsFor(host),
    })
      .resolve(`${host}/app:v1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('REGISTRY_REALM_UNTRUSTED');
    expect((error as RegistryError).fix).toContain('realmHosts');
    expect(tokens.seen).toEqual([]);
  });

  it('without a credential, a realm on another host is asked anonymously', async () => {
    const { tokens, host } = await bearerRegistry('localhost');
    const resolved = await createRegistryClient({ insecureRegistries: [host] }).resolve(`${host}/app:v1`);
    expect(resolved.digest).toBe(manifest.digest);
    expect(tokens.seen.map((r) => r.authorization)).toEqual([undefined]);
    expect(tokens.seen[0]?.path).toBe('/token?service=svc&scope=repository%3Aapp%3Apull');
  });

  it('a realm host allowed for the registry (realmHosts) receives it', async () => {
    const { tokens, host } = await bearerRegistry('localhost');
    const client = createRegistryClient({
      insecureRegistries: [host],
      credentials: credentialsFor(host),
      realmHosts: { [host]: ['localhost'] },
    });
    expect((await client.resolve(`${host}/app:v1`)).digest).toBe(manifest.digest);
    expect(tokens.seen.map((r) => r.authorization)).toEqual([BASIC]);
  });

  it("a realm on the registry's own host name (another port) receives it", async () => {
    const { tokens, host } = await bearerRegistry('127.0.0.1');
    const client = createRegistryClient({ insecureRegistries: [host], credentials: credentialsFor(host) });
    expect((await client.resolve(`${host}/app:v1`)).digest).toBe(manifest.digest);
    expect(tokens.seen.map((r) => r.authorization)).toEqual([BASIC]);
  });

  it('a plain-HTTP realm of an HTTPS registry never receives a credential, even on its own host', async () => {
    const tokens = await start((_req, res) => res.writeHead(200).end('{"token":"tok"}'));
    const auth = new Authorizations({ now: Date.now, realmHosts: new Map(), insecureRegistries: new Set() });
    const target = {
      registry: '127.0.0.1:5000',
      origin: 'https://127.0.0.1:5000',
      path: 'app',
      credential: { kind: 'basic' as const, username: USER, password: PASSWORD },
      signal: new AbortController().signal,
      ca: undefined,
    };
    const challenge = { scheme: 'bearer', params: { realm: `http://127.0.0.1:${tokens.port}/token` } };
    const error = await auth.answer(target, [challenge]).catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('REGISTRY_REALM_UNTRUSTED');
    expect((error as RegistryError).message).toContain('not HTTPS');
    expect(tokens.seen).toEqual([]);
  });
});
