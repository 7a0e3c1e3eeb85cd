import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.js';
import { RegistryError } from './registry-error.js';
import { makeLayout, push, skopeoDigests } from './test-support/images.js';
import { type LoopbackServer, startCountingProxy } from './test-support/loopback-server.js';
import { type RunningRegistry, startRegistry } from './test-support/registry-server.js';

// Runs under `pnpm test:interop` only: Debian's docker-registry, umoci and skopeo. A missing tool fails.

let dir: string;
let registry: RunningRegistry;
let layout: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-registry-anon-'));
  registry = await startRegistry(join(dir, 'registry'), { kind: 'anonymous' });
  layout = await makeLayout(dir);
  await push(layout, 'single', `${registry.host}/app:oci`);
  await push(layout, 'single', `${registry.host}/app:docker`, { format: 'v2s2' });
  await push(layout, 'multi', `${registry.host}/app:multi`, { all: true });
});

afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function client(options: Parameters<typeof createRegistryClient>[0] = {}) {
  return createRegistryClient({ insecureRegistries: [registry.host], ...options });
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('tag → digest on an anonymous plain-HTTP registry', () => {
  it.each([
    ['oci', 'application/vnd.oci.image.manifest.v1+json'],
    ['docker', 'application/vnd.docker.distribution.manifest.v2+json'],
  ])('%s image: the digest skopeo sees', async (tag, mediaType) => {
    const image = `${registry.host}/app:${tag}`;
    const resolved = await client().resolve(image);
    const expected = await skopeoDigests(image);
    expect(expected.raw).toBe(expected.inspect);
    expect(resolved).toEqual({
      pinned: `${image}@${expected.raw}`,
      name: `${registry.host}/app`,
      tag,
      digest: expected.raw,
      mediaType,
      cached: false,
    });
  });

  it('the Accept list matters: asked only for Docker v2, the registry answers 404 for the OCI image', async () => {
    const response = await fetch(`http://${registry.host}/v2/app/manifests/oci`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(response.status).toBe(404);
    const all = await client().resolve(`${registry.host}/app:oci`);
    expect(all.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('a multi-arch image resolves to its index digest', async () => {
    const image = `${registry.host}/app:multi`;
    const resolved = await client().resolve(image);
    const expected = await skopeoDigests(image);
    expect(resolved.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(resolved.digest).toBe(expected.raw);
    const single = await client().resolve(`${registry.host}/app:oci`);
    expect(resolved.digest).not.toBe(single.digest);
  });

  it('an image already pinned is returned as it is, without asking the registry', async () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const resolved = await client().resolve(`${registry.host}/nothing-here:v9@${digest}`);
    expect(resolved).toMatchObject({ digest, tag: 'v9', mediaType: undefined });
  });

  it('no tag means latest', async () => {
    await push(layout, 'single', `${registry.host}/plain:latest`);
    const resolved = await client().resolve(`${registry.host}/plain`);
    expect(resolved.tag).toBe('latest');
    expect(resolved.digest).toBe((await skopeoDigests(`${registry.host}/plain:latest`)).raw);
  });
});

describe('failures on an anonymous registry', () => {
  it('an unknown tag: REGISTRY_TAG_UNKNOWN naming the registry, the status and the fix', async () => {
    const error = await failure(client().resolve(`${registry.host}/app:nope`));
    expect(error.code).toBe('REGISTRY_TAG_UNKNOWN');
    expect(error.status).toBe(404);
    expect(error.registry).toBe(registry.host);
    expect(error.message).toContain(`registry ${registry.host} has no tag ${registry.host}/app:nope`);
    expect(error.message).toContain('MANIFEST_UNKNOWN');
    expect(error.fix).toContain('pin the image by digest');
  });

  it('an unknown repository is an unknown tag too (distribution 2.8 answers MANIFEST_UNKNOWN for both)', async () => {
    const error = await failure(client().resolve(`${registry.host}/nobody/home:v1`));
    expect(error.code).toBe('REGISTRY_TAG_UNKNOWN');
    expect(error.message).toContain(`${registry.host}/nobody/home:v1 (HTTP 404, MANIFEST_UNKNOWN)`);
  });

  it('a plain-HTTP registry not listed as insecure is spoken to over HTTPS, and fails saying how to list it', async () => {
    const error = await failure(
      createRegistryClient({ timeoutMs: 60_000 }).resolve(`${registry.host}/app:oci`),
    );
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain(`https://${registry.host} cannot be reached`);
    expect(error.fix).toContain(`--insecure-registry ${registry.host}`);
  });
});

describe('caching and single-flight, counted by a proxy in front of the registry', () => {
  let proxy: LoopbackServer;
  beforeAll(async () => {
    proxy = await startCountingProxy(registry.port);
  });
  afterAll(() => proxy?.stop());
  const proxied = () => `127.0.0.1:${proxy.port}`;
  const manifestRequests = (tag: string) => proxy.seen.filter((r) => r.path === `/v2/app/manifests/${tag}`);

  it('50 concurrent resolutions of one tag make one registry round trip', async () => {
    const c = createRegistryClient({ insecureRegistries: [proxied()] });
    const results = await Promise.all(Array.from({ length: 50 }, () => c.resolve(`${proxied()}/app:docker`)));
    expect(new Set(results.map((r) => r.digest)).size).toBe(1);
    expect(manifestRequests('docker').map((r) => r.method)).toEqual(['HEAD']);
    expect((await c.resolve(`${proxied()}/app:docker`)).cached).toBe(true);
    expect(manifestRequests('docker')).toHaveLength(1);
  });

  it("a tag is asked again once the TTL has passed on the client's clock, and then sees a re-pushed image", async () => {
    let now = 0;
    const c = createRegistryClient({ insecureRegistries: [proxied()], ttlMs: 30_000, now: () => now });
    await push(layout, 'single', `${registry.host}/app:moving`);
    const first = await c.resolve(`${proxied()}/app:moving`);
    await push(layout, 'other', `${registry.host}/app:moving`);
    now = 29_999;
    expect(await c.resolve(`${proxied()}/app:moving`)).toMatchObject({ digest: first.digest, cached: true });
    expect(manifestRequests('moving')).toHaveLength(1);
    now = 30_000;
    const second = await c.resolve(`${proxied()}/app:moving`);
    expect(second.cached).toBe(false);
    expect(second.digest).toBe((await skopeoDigests(`${registry.host}/app:moving`)).raw);
    expect(second.digest).not.toBe(first.digest);
    expect(manifestRequests('moving')).toHaveLength(2);
  });

  it('every request carries every manifest type in Accept', () => {
    const accept = proxy.seen.find((r) => r.path.includes('/manifests/'))?.accept ?? '';
    for (const type of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]) {
      expect(accept).toContain(type);
    }
  });
});
