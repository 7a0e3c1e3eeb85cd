import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClientOptions } from './client.js';
import { dockerConfigCredentials } from './credentials.js';
import { RegistryError } from './registry-error.js';
import { makeLayout, push, skopeoDigests } from './test-support/images.js';
import { makePki, type TestPki } from './test-support/pki.js';
import { type RunningRegistry, startRegistry } from './test-support/registry-server.js';
import { tool } from './test-support/tools.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry over TLS (an openssl-made CA) with Basic
// auth from htpasswd (apache2-utils), images from umoci and skopeo. A missing tool fails.

const USER = 'release';
const PASSWORD = 'correct horse';
let dir: string;
let pki: TestPki;
let registry: RunningRegistry;
let image: string;
let expected: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-registry-basic-'));
  pki = await makePki(dir);
  const htpasswdFile = join(dir, 'htpasswd');
  writeFileSync(htpasswdFile, await tool('htpasswd', ['-Bbn', USER, PASSWORD]));
  registry = await startRegistry(join(dir, 'registry'), {
    kind: 'basic',
    tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caPem: pki.caPem },
    htpasswdFile,
  });
  const layout = await makeLayout(dir);
  image = `${registry.host}/team/app:v1`;
  const creds = { creds: `${USER}:${PASSWORD}`, certDir: pki.certDir };
  await push(layout, 'single', image, creds);
  expected = (await skopeoDigests(image, creds)).raw;
});

afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(username: string, password: string) {
  return dockerConfigCredentials(
    JSON.stringify({ auths: { [registry.host]: { username, password } } }),
    'config.json',
  );
}

function client(options: RegistryClientOptions = {}) {
  return createRegistryClient({ ca: pki.caPem, credentials: config(USER, PASSWORD), ...options });
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('a TLS registry with Basic auth', () => {
  it("with its CA and the right credentials from a config.json: skopeo's digest", async () => {
    const resolved = await client().resolve(image);
    expect(resolved.digest).toBe(expected);
    expect(resolved.pinned).toBe(`${image}@${expected}`);
  });

  it('without its CA: REGISTRY_TLS_UNTRUSTED, whose fix names the CA option', async () => {
    const error = await failure(client({ ca: undefined }).resolve(image));
    expect(error.code).toBe('REGISTRY_TLS_UNTRUSTED');
    expect(error.registry).toBe(registry.host);
    expect(error.message).toContain('not trusted');
    expect(error.fix).toContain('--registry-ca');
  });

  it('a CA option adds to the system roots: another CA does not make this registry trusted', async () => {
    const otherPki = await makePki(mkdtempSync(join(dir, 'other-ca-')));
    const error = await failure(client({ ca: otherPki.caPem }).resolve(image));
    expect(error.code).toBe('REGISTRY_TLS_UNTRUSTED');
  });

  it('a wrong password: REGISTRY_UNAUTHORIZED, HTTP 401, saying the credentials were refused', async () => {
    const error = await failure(client({ credentials: config(USER, 'wrong') }).resolve(image));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toContain(`registry ${registry.host} refused the credentials`);
    expect(error.fix).toContain('pull secret');
  });

  it('no credentials: REGISTRY_UNAUTHORIZED saying credentials are needed', async () => {
    const error = await failure(createRegistryClient({ ca: pki.caPem }).resolve(image));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain('anonymous request');
    expect(error.fix).toContain('imagePullSecret');
  });

  it("credentials given per call (a Pod's pull secrets) come before the client's own", async () => {
    const wrongByDefault = client({ credentials: config(USER, 'wrong') });
    const resolved = await wrongByDefault.resolve(image, { credentials: config(USER, PASSWORD) });
    expect(resolved.digest).toBe(expected);
  });

  it('an unknown tag behind auth: REGISTRY_TAG_UNKNOWN', async () => {
    const error = await failure(client().resolve(`${registry.host}/team/app:v404`));
    expect(error.code).toBe('REGISTRY_TAG_UNKNOWN');
    expect(error.status).toBe(404);
  });

  it('answers resolved with one credential are not served to another', async () => {
    const c = client({ credentials: config(USER, 'wrong') });
    expect((await c.resolve(image, { credentials: config(USER, PASSWORD) })).digest).toBe(expected);
    const error = await failure(c.resolve(image));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
  });
});
