import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.js';
import { RegistryError } from './registry-error.js';
import { fakeManifest } from './test-support/fake-manifest.js';
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js';

// Stand-ins for registries that misbehave, on loopback sockets: what no honest registry can be made to do.

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function serve(headers: (method: string) => Record<string, string>, body: Buffer): Promise<string> {
  const server = await startLoopbackServer((req, res) => {
    res.writeHead(200, { 'content-length': String(body.length), ...headers(req.method ?? '') });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  servers.push(server);
  return `127.0.0.1:${server.port}`;
}

async function resolveAt(host: string) {
  return createRegistryClient({ insecureRegistries: [host] }).resolve(`${host}/app:v1`);
}

describe('a digest from a GET is checked against the body', () => {
  const manifest = fakeManifest();

  it('a server that states another digest on GET is refused: REGISTRY_DIGEST_MISMATCH', async () => {
    const lie = `sha256:${'b'.repeat(64)}`;
    const host = await serve(
      (method) => ({
        'content-type': manifest.mediaType,
        ...(method === 'GET' ? { 'docker-content-digest': lie } : {}),
      }),
      manifest.body,
    );
    const error = await resolveAt(host).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('REGISTRY_DIGEST_MISMATCH');
    expect((error as RegistryError).message).toContain(`stated digest ${lie}`);
    expect((error as RegistryError).message).toContain(manifest.digest);
  });

  it('a sha512 digest that does not match is refused too', async () => {
    const host = await serve(
      () => ({ 'content-type': manifest.mediaType, 'docker-content-digest': `sha512:${'0'.repeat(128)}` }),
      manifest.body,
    );
    expect(await resolveAt(host).catch((e: RegistryError) => e.code)).toBe('REGISTRY_DIGEST_MISMATCH');
  });

  it('a malformed stated digest is refused', async () => {
    const host = await serve(
      () => ({ 'content-type': manifest.mediaType, 'docker-content-digest': 'sha256:nothex' }),
      manifest.body,
    );
    expect(await resolveAt(host).catch((e: RegistryError) => e.code)).toBe('REGISTRY_DIGEST_MISMATCH');
  });

  it("without a Docker-Content-Digest, the digest is the body's sha256 (after a HEAD that did not say)", async () => {
    const host = await serve(() => ({ 'content-type': manifest.mediaType }), manifest.body);
    expect(await resolveAt(host)).toMatchObject({ digest: manifest.digest, mediaType: manifest.mediaType });
    expect(servers[0]?.seen.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('a Docker schema 1 manifest is refused: its digest is not what the kubelet pulls by', async () => {
    const host = await serve(
      () => ({ 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }),
      manifest.body,
    );
    const error = await resolveAt(host).catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('REGISTRY_BAD_RESPONSE');
    expect((error as RegistryError).fix).toContain('schema 1');
  });

  it('a body larger than 4 MiB is refused', async () => {
    const host = await serve(
      () => ({ 'content-type': manifest.mediaType }),
      Buffer.alloc(4 * 1024 * 1024 + 1, 32),
    );
    const error = await resolveAt(host).catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('REGISTRY_BAD_RESPONSE');
    expect((error as RegistryError).message).toContain('larger than');
  });
});

describe('deadlines', () => {
  async function hanging(): Promise<string> {
    const server = await startLoopbackServer(() => {}); // accepts, never answers
    servers.push(server);
    return `127.0.0.1:${server.port}`;
  }

  it("the caller's signal ends the wait: REGISTRY_TIMEOUT naming the registry", async () => {
    const host = await hanging();
    const deadline = new AbortController();
    const pending = createRegistryClient({ insecureRegistries: [host] }).resolve(`${host}/app:v1`, {
      signal: deadline.signal,
    });
    await waitFor(() => servers[0]!.seen.length === 1);
    deadline.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('REGISTRY_TIMEOUT');
    expect((error as RegistryError).message).toContain(`registry ${host}`);
  });

  it("the client's own timeout ends a resolution nobody waits for any more", async () => {
    const host = await hanging();
    const error = await createRegistryClient({ insecureRegistries: [host], timeoutMs: 50 })
      .resolve(`${host}/app:v1`)
      .catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('REGISTRY_TIMEOUT');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
