import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClientOptions } from './client.js';
import { dockerConfigCredentials } from './credentials.js';
import { RegistryError } from './registry-error.js';
import { makeLayout, push, skopeoDigests } from './test-support/images.js';
import { makePki, makeTokenSigner, type TestPki } from './test-support/pki.js';
import { freePort, type RunningRegistry, startRegistry } from './test-support/registry-server.js';
import { type RunningTokenServer, startTokenServer } from './test-support/token-server.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry with `auth.token`, trusting the
// certificate of a token server run here (ES256 JWTs with an x5c header). Its realm is on `localhost`,
// so the registry is reached as `localhost:PORT` (the realm's own host name) or as `127.0.0.1:PORT`
// (another host name: the credential must not go to the realm).

const USER = 'ci';
const PASSWORD = 'token-pass';
const SERVICE = 'signet-test-registry';
const TOKEN_SECONDS = 300;
let dir: string;
let pki: TestPki;
let tokens: RunningTokenServer;
let registry: RunningRegistry;
let name: string;
let digests: { v1: string; multi: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-registry-token-'));
  pki = await makePki(dir);
  const signer = await makeTokenSigner(dir);
  tokens = await startTokenServer({
    certFile: pki.serverCertFile,
    keyFile: pki.serverKeyFile,
    signer,
    issuer: 'signet-test-issuer',
    service: SERVICE,
    username: USER,
    password: PASSWORD,
    expiresIn: TOKEN_SECONDS,
  });
  const port = await freePort();
  registry = await startRegistry(
    join(dir, 'registry'),
    {
      kind: 'token',
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caPem: pki.caPem },
      realm: `https://localhost:${tokens.port}/token`,
      service: SERVICE,
      issuer: 'signet-test-issuer',
      rootCertFile: signer.certFile,
    },
    port,
  );
  name = `localhost:${registry.port}/team/app`;
  const layout = await makeLayout(dir);
  const creds = { creds: `${USER}:${PASSWORD}`, certDir: pki.certDir };
  await push(layout, 'single', `${name}:v1`, creds);
  await push(layout, 'multi', `${name}:multi`, { ...creds, all: true });
  digests = {
    v1: (await skopeoDigests(`${name}:v1`, creds)).raw,
    multi: (await skopeoDigests(`${name}:multi`, creds)).raw,
  };
});

afterAll(async () => {
  await registry?.stop();
  await tokens?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function credentials(registryName: string, password = PASSWORD) {
  return dockerConfigCredentials(
    JSON.stringify({
      auths: { [registryName]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } },
    }),
    'config.json',
  );
}

function client(options: RegistryClientOptions = {}) {
  return createRegistryClient({
    ca: pki.caPem,
    credentials: credentials(`localhost:${registry.port}`),
    ...options,
  });
}

describe("Bearer tokens from the registry's token service", () => {
  it('resolves a tag end to end: challenge, token with Basic credentials, retry', async () => {
    const before = tokens.authorizations().length;
    const resolved = await client().resolve(`${name}:v1`);
    expect(resolved.digest).toBe(digests.v1);
    const sent = tokens.authorizations().slice(before);
    expect(sent).toEqual([`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`]);
  });

  it('a multi-arch image behind tokens resolves to its index digest', async () => {
    const resolved = await client().resolve(`${name}:multi`);
    expect(resolved).toMatchObject({
      digest: digests.multi,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
  });

  it("a token is reused for the repository until it expires on the client's clock", async () => {
    let now = 1_000_000;
    const c = client({ now: () => now, ttlMs: 0 });
    await c.resolve(`${name}:v1`);
    const issued = tokens.issued();
    now += 1_000;
    await c.resolve(`${name}:multi`);
    await c.resolve(`${name}:v1`);
    expect(tokens.issued()).toBe(issued);
    now += TOKEN_SECONDS * 1000;
    await c.resolve(`${name}:v1`);
    expect(tokens.issued()).toBe(issued + 1);
  });

  it('a wrong password is refused by the token service: REGISTRY_UNAUTHORIZED, 401', async () => {
    const error = await client({ credentials: credentials(`localhost:${registry.port}`, 'nope') })
      .resolve(`${name}:v1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('REGISTRY_UNAUTHORIZED');
    expect((error as RegistryError).status).toBe(401);
    expect((error as RegistryError).message).toContain(`token from https://localhost:${tokens.port}`);
  });

  it('no credential: the token service refuses an anonymous token, REGISTRY_UNAUTHORIZED asking for one', async () => {
    const error = await createRegistryClient({ ca: pki.caPem })
      .resolve(`${name}:v1`)
      .catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('REGISTRY_UNAUTHORIZED');
    expect((error as RegistryError).message).toContain('anonymous request');
  });

  it("reached as 127.0.0.1, the registry's credential is not sent to its realm on localhost", async () => {
    const host = `127.0.0.1:${registry.port}`;
    const before = tokens.authorizations().length;
    const error = await client({ credentials: credentials(host) })
      .resolve(`${host}/team/app:v1`)
      .catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('REGISTRY_REALM_UNTRUSTED');
    expect(tokens.authorizations().length).toBe(before);
    const allowed = client({ credentials: credentials(host), realmHosts: { [host]: ['localhost'] } });
    expect((await allowed.resolve(`${host}/team/app:v1`)).digest).toBe(digests.v1);
  });
});
