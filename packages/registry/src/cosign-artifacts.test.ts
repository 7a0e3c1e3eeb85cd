import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.js';
import type { CredentialProvider } from './credentials.js';
import { RegistryError } from './registry-error.js';
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js';

// A loopback stand-in that holds what cosign stores (manifests by tag and digest, blobs by digest) and
// can be made to misbehave: what no honest registry can be made to do.

const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE = 'application/vnd.dsse.envelope.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const IMAGE_DIGEST = `sha256:${'3'.repeat(64)}`;
const TAG = `sha256-${'3'.repeat(64)}`;

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface Layer {
  mediaType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
  /** What the manifest states, when it should lie. */
  size?: number;
}

/** Handles a request itself (true), or leaves it to the store (false). */
type Override = (req: IncomingMessage, res: ServerResponse) => boolean;

class FakeCosignRegistry {
  readonly manifests = new Map<string, { body: Buffer; mediaType: string }>();
  readonly blobs = new Map<string, Buffer>();
  referrersApi = false;
  override: Override = () => false;
  server!: LoopbackServer;

  get host(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** Stores a manifest under its digest and, if given, a tag of `repo`. Returns its digest. */
  putManifest(repo: string, tag: string | undefined, body: Buffer, mediaType = OCI_MANIFEST): string {
    const digest = digestOf(body);
    this.manifests.set(`${repo}@${digest}`, { body, mediaType });
    if (tag !== undefined) this.manifests.set(`${repo}:${tag}`, { body, mediaType });
    return digest;
  }

  /** An OCI manifest of these layers (their blobs stored), as cosign writes one. */
  artifact(layers: Layer[], extra: Record<string, unknown> = {}): Buffer {
    const config = Buffer.from('{}');
    this.blobs.set(digestOf(config), config);
    for (const layer of layers) this.blobs.set(digestOf(layer.bytes), layer.bytes);
    return Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: digestOf(config) },
        layers: layers.map((layer) => ({
          mediaType: layer.mediaType,
          size: layer.size ?? layer.bytes.length,
          digest: digestOf(layer.bytes),
          ...(layer.annotations ? { annotations: layer.annotations } : {}),
        })),
        ...extra,
      }),
    );
  }

  /** A bundle referrer of `subject` in `repo`: its manifest digest. */
  putBundle(repo: string, bundle: Buffer, subject = IMAGE_DIGEST, artifactType = BUNDLE): string {
    const body = this.artifact([{ mediaType: BUNDLE, bytes: bundle }], {
      artifactType,
      subject: { mediaType: OCI_MANIFEST, size: 100, digest: subject },
    });
    return this.putManifest(repo, undefined, body);
  }

  /** The fallback tag `sha256-<hex>`: an index of these manifests. */
  putFallbackIndex(repo: string, entries: { digest: string; artifactType?: string }[]): void {
    const manifests = entries.map((entry) => ({
      mediaType: OCI_MANIFEST,
      size: this.manifests.get(`${repo}@${entry.digest}`)?.body.length ?? 0,
      digest: entry.digest,
      ...(entry.artifactType ? { artifactType: entry.artifactType } : {}),
    }));
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    this.putManifest(repo, TAG, body, OCI_INDEX);
  }

  async start(): Promise<this> {
    this.server = await startLoopbackServer((req, res) => {
      if (!this.override(req, res)) this.#answer(req, res);
    });
    servers.push(this.server);
    return this;
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const match = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
    if (match === null) return void res.writeHead(404).end('404 page not found\n');
    const [, repo, kind, reference] = match as unknown as [string, string, string, string];
    if (kind === 'blobs') {
      const blob = this.blobs.get(reference);
      if (blob === undefined) return void unknown(res, 'BLOB_UNKNOWN');
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob);
    }
    if (kind === 'referrers') {
      if (!this.referrersApi) return void res.writeHead(404).end('404 page not found\n');
      return void this.#referrers(repo, reference, url.searchParams.get('artifactType'), res);
    }
    const separator = reference.startsWith('sha256:') ? '@' : ':';
    const manifest = this.manifests.get(`${repo}${separator}${reference}`);
    if (manifest === undefined) return void unknown(res, 'MANIFEST_UNKNOWN');
    res.writeHead(200, {
      'content-type': manifest.mediaType,
      'docker-content-digest': digestOf(manifest.body),
    });
    res.end(manifest.body);
  }

  #referrers(repo: string, subject: string, artifactType: string | null, res: ServerResponse): void {
    const manifests = [...this.manifests.entries()].flatMap(([key, { body, mediaType }]) => {
      if (!key.startsWith(`${repo}@`)) return [];
      const parsed = JSON.parse(body.toString()) as { subject?: { digest: string }; artifactType?: string };
      if (parsed.subject === undefined) return [];
      if (artifactType !== null && parsed.artifactType !== artifactType) return [];
      return [{ mediaType, size: body.length, digest: digestOf(body), artifactType: parsed.artifactType }];
    });
    // A registry that indexes by subject would not list others; this one lists all, to test the check.
    void subject;
    res.writeHead(200, { 'content-type': OCI_INDEX });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  }
}

function unknown(res: ServerResponse, code: string): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message: 'unknown', detail: {} }] }));
}

async function fakeRegistry(): Promise<FakeCosignRegistry> {
  return new FakeCosignRegistry().start();
}

function clientFor(fake: FakeCosignRegistry, options: Parameters<typeof createRegistryClient>[0] = {}) {
  return createRegistryClient({ insecureRegistries: [fake.host], ...options });
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

const payload = Buffer.from('{"critical":{}}');
const envelope = Buffer.from('{"payloadType":"application/vnd.in-toto+json"}');
const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');

describe('what is there is read, byte for byte', () => {
  it('.sig and .att layers of cosign types, with their annotations; other layers ignored', async () => {
    const fake = await fakeRegistry();
    fake.putManifest(
      'app',
      `${TAG}.sig`,
      fake.artifact([
        {
          mediaType: SIMPLE_SIGNING,
          bytes: payload,
          annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' },
        },
        { mediaType: 'application/vnd.example.unknown', bytes: Buffer.from('not fetched') },
        {
          mediaType: SIMPLE_SIGNING,
          bytes: payload,
          annotations: { 'dev.cosignproject.cosign/signature': 'c2lnMg==' },
        },
      ]),
    );
    fake.putManifest('app', `${TAG}.att`, fake.artifact([{ mediaType: DSSE, bytes: envelope }]));
    const read = await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    expect(read.repository).toBe(`${fake.host}/app`);
    expect(read.signatures).toMatchObject({ tag: `${TAG}.sig`, found: true });
    expect(read.signatures.layers.map((l) => l.annotations)).toEqual([
      { 'dev.cosignproject.cosign/signature': 'c2ln' },
      { 'dev.cosignproject.cosign/signature': 'c2lnMg==' },
    ]);
    expect(Buffer.from(read.signatures.layers[0]!.bytes).equals(payload)).toBe(true);
    expect(read.attestations.layers).toHaveLength(1);
    expect(Buffer.from(read.attestations.layers[0]!.bytes).equals(envelope)).toBe(true);
    const blobPaths = fake.server.seen.filter((r) => r.path.includes('/blobs/')).map((r) => r.path);
    expect(blobPaths).toEqual([`/v2/app/blobs/${digestOf(payload)}`, `/v2/app/blobs/${digestOf(envelope)}`]);
  });

  it('absent tags (404 MANIFEST_UNKNOWN) are found: false, not errors; no referrers API: the fallback tag', async () => {
    const fake = await fakeRegistry();
    const read = await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    expect(read.signatures).toEqual({ tag: `${TAG}.sig`, found: false, layers: [] });
    expect(read.attestations).toEqual({ tag: `${TAG}.att`, found: false, layers: [] });
    expect(read.bundles).toEqual([]);
    expect(read.referrers).toEqual({ via: 'tag', tag: TAG, found: false });
    expect(fake.server.seen.map((r) => r.path).sort()).toEqual(
      [
        `/v2/app/manifests/${TAG}.sig`,
        `/v2/app/manifests/${TAG}.att`,
        `/v2/app/referrers/${IMAGE_DIGEST}?artifactType=${encodeURIComponent(BUNDLE)}`,
        `/v2/app/manifests/${TAG}`,
      ].sort(),
    );
  });

  it('a repository the registry does not know (404 NAME_UNKNOWN) holds nothing', async () => {
    const fake = await fakeRegistry();
    fake.override = (req, res) => {
      if (!req.url?.includes('/manifests/')) return false;
      unknown(res, 'NAME_UNKNOWN');
      return true;
    };
    const read = await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    expect([read.signatures.found, read.attestations.found, read.referrers]).toEqual([
      false,
      false,
      { via: 'tag', tag: TAG, found: false },
    ]);
  });

  it('the three reads are in flight at once', async () => {
    const fake = await fakeRegistry();
    const held: (() => void)[] = [];
    fake.override = (req, res) => {
      const path = req.url ?? '';
      if (path.includes('/blobs/') || path.endsWith(`/manifests/${TAG}`)) return false;
      held.push(() => unknown(res, 'MANIFEST_UNKNOWN'));
      if (held.length === 3) for (const answer of held) answer(); // .sig, .att and referrers all asked
      return true;
    };
    const read = await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    expect(held).toHaveLength(3);
    expect(read.signatures.found).toBe(false);
  });

  it('the Accept header names the manifest types asked for', async () => {
    const fake = await fakeRegistry();
    await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    const accept = (path: string) => fake.server.seen.find((r) => r.path === path)?.accept;
    expect(accept(`/v2/app/manifests/${TAG}.sig`)).toContain(OCI_MANIFEST);
    expect(accept(`/v2/app/manifests/${TAG}`)).toBe(OCI_INDEX);
  });
});

describe('bundles: referrers of the image', () => {
  it('through the referrers API: a referrer of another subject is skipped, with the reason', async () => {
    const fake = await fakeRegistry();
    fake.referrersApi = true;
    const good = fake.putBundle('app', bundle);
    const other = fake.putBundle('app', Buffer.from('{"other":1}'), `sha256:${'4'.repeat(64)}`);
    const read = await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    expect(read.referrers).toEqual({ via: 'api' });
    expect(read.bundles).toHaveLength(1);
    expect(read.bundles[0]).toMatchObject({ digest: good, found: true });
    expect(Buffer.from(read.bundles[0]!.layers[0]!.bytes).equals(bundle)).toBe(true);
    expect(read.skipped).toEqual([
      { digest: other, reason: expect.stringContaining(`subject is sha256:${'4'.repeat(64)}`) },
    ]);
    expect(fake.server.seen.some((r) => r.path === `/v2/app/manifests/${TAG}`)).toBe(false);
  });

  it('through the fallback tag when the referrers API answers 404: each listed manifest read', async () => {
    const fake = await fakeRegistry();
    const good = fake.putBundle('app', bundle);
    const wrongSubject = fake.putBundle('app', Buffer.from('{"x":1}'), `sha256:${'5'.repeat(64)}`);
    const sbom = fake.putBundle('app', Buffer.from('{"y":1}'), IMAGE_DIGEST, 'application/spdx+json');
    fake.putFallbackIndex('app', [
      { digest: good, artifactType: EMPTY }, // as cosign 2.5 names it
      { digest: wrongSubject },
      { digest: sbom, artifactType: EMPTY },
    ]);
    const read = await clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`);
    expect(read.referrers).toEqual({ via: 'tag', tag: TAG, found: true });
    expect(read.bundles).toEqual([{ tag: TAG, digest: good, found: true, layers: [expect.anything()] }]);
    expect(read.skipped.map((s) => s.digest).sort()).toEqual([wrongSubject, sbom].sort());
    expect(read.skipped.find((s) => s.digest === sbom)?.reason).toContain('application/spdx+json');
  });

  it('a fallback index entry whose manifest is not the digest it names: REGISTRY_DIGEST_MISMATCH', async () => {
    const fake = await fakeRegistry();
    const good = fake.putBundle('app', bundle);
    fake.putFallbackIndex('app', [{ digest: good }]);
    const stored = fake.manifests.get(`app@${good}`)!;
    fake.manifests.set(`app@${good}`, { ...stored, body: Buffer.concat([stored.body, Buffer.from(' ')]) });
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_DIGEST_MISMATCH');
  });

  it('a fallback index entry whose digest is not a digest is refused, not put in a URL', async () => {
    const fake = await fakeRegistry();
    fake.putFallbackIndex('app', [{ digest: 'sha256:../../other' }]);
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(fake.server.seen.some((r) => r.path.includes('other'))).toBe(false);
  });

  it('a fallback index naming a manifest the registry does not hold is a failure, not absence', async () => {
    const fake = await fakeRegistry();
    fake.putFallbackIndex('app', [{ digest: `sha256:${'6'.repeat(64)}` }]);
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(error.status).toBe(404);
  });
});

describe('fail closed: a failure is a RegistryError, never "found: false"', () => {
  function answering(status: number, body = '', on = '.sig'): (fake: FakeCosignRegistry) => void {
    return (fake) => {
      fake.override = (req, res) => {
        if (!req.url?.endsWith(on)) return false;
        res.writeHead(status, status === 401 ? { 'www-authenticate': 'Basic realm="x"' } : {}).end(body);
        return true;
      };
    };
  }

  it.each([
    ['401', answering(401), 'REGISTRY_UNAUTHORIZED'],
    ['403', answering(403), 'REGISTRY_DENIED'],
    ['500', answering(500), 'REGISTRY_BAD_RESPONSE'],
    [
      'a 404 without MANIFEST_UNKNOWN (a proxy page)',
      answering(404, '<html>not found</html>'),
      'REGISTRY_BAD_RESPONSE',
    ],
    [
      'a 404 with another error code',
      answering(404, '{"errors":[{"code":"BLOB_UNKNOWN"}]}'),
      'REGISTRY_BAD_RESPONSE',
    ],
    [
      '500 on the referrers API',
      answering(500, '', `artifactType=${encodeURIComponent(BUNDLE)}`),
      'REGISTRY_BAD_RESPONSE',
    ],
  ])('%s → %s', async (_, setUp, code) => {
    const fake = await fakeRegistry();
    setUp(fake);
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe(code);
    expect(error.registry).toBe(fake.host);
  });

  it('a layer whose blob is not its digest: REGISTRY_DIGEST_MISMATCH', async () => {
    const fake = await fakeRegistry();
    fake.putManifest('app', `${TAG}.sig`, fake.artifact([{ mediaType: SIMPLE_SIGNING, bytes: payload }]));
    fake.blobs.set(digestOf(payload), Buffer.from('{"critical":{"tampered":true}}'));
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_DIGEST_MISMATCH');
    expect(error.message).toContain(digestOf(payload));
  });

  it('a manifest whose stated Docker-Content-Digest is not its bytes: REGISTRY_DIGEST_MISMATCH', async () => {
    const fake = await fakeRegistry();
    const body = fake.artifact([{ mediaType: SIMPLE_SIGNING, bytes: payload }]);
    fake.override = (req, res) => {
      if (!req.url?.endsWith('.sig')) return false;
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': `sha256:${'b'.repeat(64)}`,
      });
      res.end(body);
      return true;
    };
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_DIGEST_MISMATCH');
  });

  it('a blob the manifest names but the registry lacks is a failure', async () => {
    const fake = await fakeRegistry();
    fake.putManifest('app', `${TAG}.att`, fake.artifact([{ mediaType: DSSE, bytes: envelope }]));
    fake.blobs.delete(digestOf(envelope));
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(error.status).toBe(404);
  });

  it('a layer stated larger than 4 MiB is refused before it is fetched', async () => {
    const fake = await fakeRegistry();
    fake.putManifest(
      'app',
      `${TAG}.sig`,
      fake.artifact([{ mediaType: SIMPLE_SIGNING, bytes: payload, size: 4 * 1024 * 1024 + 1 }]),
    );
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(error.message).toContain('more than the 4194304');
    expect(fake.server.seen.some((r) => r.path.includes('/blobs/'))).toBe(false);
  });

  it('a blob served larger than 4 MiB is refused', async () => {
    const fake = await fakeRegistry();
    fake.putManifest('app', `${TAG}.sig`, fake.artifact([{ mediaType: SIMPLE_SIGNING, bytes: payload }]));
    fake.blobs.set(digestOf(payload), Buffer.alloc(4 * 1024 * 1024 + 1, 32));
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(error.message).toContain('larger than');
  });

  it('a manifest of more than 100 layers is refused', async () => {
    const fake = await fakeRegistry();
    const layers = Array.from({ length: 101 }, () => ({ mediaType: SIMPLE_SIGNING, bytes: payload }));
    fake.putManifest('app', `${TAG}.sig`, fake.artifact(layers));
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(error.message).toContain('101 layers');
  });

  it('a .sig tag holding an index, or no JSON manifest, is refused', async () => {
    const fake = await fakeRegistry();
    fake.putManifest('app', `${TAG}.sig`, Buffer.from('{"schemaVersion":2,"manifests":[]}'), OCI_INDEX);
    fake.putManifest('app', `${TAG}.att`, Buffer.from('not json'));
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
  });

  it('a layer digest that is not a digest is refused, not put in a URL', async () => {
    const fake = await fakeRegistry();
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'x', size: 2, digest: `sha256:${'a'.repeat(64)}` },
        layers: [{ mediaType: SIMPLE_SIGNING, size: 2, digest: '../../other/blobs/x' }],
      }),
    );
    fake.putManifest('app', `${TAG}.sig`, body);
    const error = await failure(clientFor(fake).readCosignArtifacts(`${fake.host}/app@${IMAGE_DIGEST}`));
    expect(error.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(fake.server.seen.some((r) => r.path.includes('/blobs/'))).toBe(false);
  });

  it("the client's own timeout ends a read nobody answers: REGISTRY_TIMEOUT", async () => {
    const server = await startLoopbackServer(() => {}); // accepts, never answers
    servers.push(server);
    const host = `127.0.0.1:${server.port}`;
    const error = await failure(
      createRegistryClient({ insecureRegistries: [host], timeoutMs: 50 }).readCosignArtifacts(
        `${host}/app@${IMAGE_DIGEST}`,
      ),
    );
    expect(error.code).toBe('REGISTRY_TIMEOUT');
  });

  it("the caller's signal ends its wait: REGISTRY_TIMEOUT", async () => {
    const server = await startLoopbackServer(() => {});
    servers.push(server);
    const host = `127.0.0.1:${server.port}`;
    const deadline = new AbortController();
    const pending = createRegistryClient({ insecureRegistries: [host] }).readCosignArtifacts(
      `${host}/app@${IMAGE_DIGEST}`,
      { signal: deadline.signal },
    );
    while (server.seen.length < 3) await new Promise((resolve) => setImmediate(resolve));
    deadline.abort();
    const error = await failure(pending);
    expect(error.code).toBe('REGISTRY_TIMEOUT');
    expect(error.message).toContain(`${host}/app@${IMAGE_DIGEST}`);
    expect(error.fix).not.toContain('pin the image');
  });

  it('an image not pinned by digest is refused: REGISTRY_NOT_PINNED', async () => {
    const error = await failure(createRegistryClient().readCosignArtifacts('registry.invalid/app:v1'));
    expect(error.code).toBe('REGISTRY_NOT_PINNED');
  });

  it('a signature repository with a tag is refused', async () => {
    const error = await failure(
      createRegistryClient().readCosignArtifacts(`registry.invalid/app@${IMAGE_DIGEST}`, {
        repository: 'registry.invalid/sigs:v1',
      }),
    );
    expect(error.code).toBe('REGISTRY_CONFIG_INVALID');
  });
});

describe('repository (COSIGN_REPOSITORY) and caching', () => {
  it('tags are looked up in the signature repository, whose credentials are asked for', async () => {
    const fake = await fakeRegistry();
    fake.putManifest(
      'sigs/store',
      `${TAG}.sig`,
      fake.artifact([{ mediaType: SIMPLE_SIGNING, bytes: payload }]),
    );
    const asked: string[] = [];
    const credentials: CredentialProvider = ({ registry, path }) => {
      asked.push(`${registry}/${path}`);
      return undefined;
    };
    const read = await clientFor(fake, { credentials }).readCosignArtifacts(
      `other.invalid/app@${IMAGE_DIGEST}`,
      {
        repository: `${fake.host}/sigs/store`,
      },
    );
    expect(read.repository).toBe(`${fake.host}/sigs/store`);
    expect(read.signatures.found).toBe(true);
    expect(asked).toEqual([`${fake.host}/sigs/store`]);
    expect(fake.server.seen.every((r) => r.path.startsWith('/v2/sigs/store/'))).toBe(true);
  });

  it('an answer is reused within the TTL, per credential; a new signature is seen once it expires', async () => {
    const fake = await fakeRegistry();
    let now = 0;
    const client = clientFor(fake, { now: () => now, ttlMs: 1_000 });
    const image = `${fake.host}/app@${IMAGE_DIGEST}`;
    const first = await client.readCosignArtifacts(image);
    const requests = fake.server.seen.length;
    fake.putManifest('app', `${TAG}.sig`, fake.artifact([{ mediaType: SIMPLE_SIGNING, bytes: payload }]));
    const second = await client.readCosignArtifacts(image);
    expect([first.cached, second.cached, second.signatures.found]).toEqual([false, true, false]);
    expect(fake.server.seen.length).toBe(requests);
    const withCredential = await client.readCosignArtifacts(image, {
      credentials: () => ({ kind: 'basic', username: 'u', password: 'p' }),
    });
    expect([withCredential.cached, withCredential.signatures.found]).toEqual([false, true]);
    now = 1_000;
    const third = await client.readCosignArtifacts(image);
    expect([third.cached, third.signatures.found]).toEqual([false, true]);
  });

  it('concurrent reads share one round trip; a failure is not kept', async () => {
    const fake = await fakeRegistry();
    let failing = true;
    fake.override = (req, res) => {
      if (!failing || !req.url?.endsWith('.sig')) return false;
      res.writeHead(500).end();
      return true;
    };
    const client = clientFor(fake);
    const image = `${fake.host}/app@${IMAGE_DIGEST}`;
    const both = await Promise.allSettled([
      client.readCosignArtifacts(image),
      client.readCosignArtifacts(image),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fake.server.seen.filter((r) => r.path.endsWith('.sig'))).toHaveLength(1);
    failing = false;
    expect((await client.readCosignArtifacts(image)).cached).toBe(false);
  });
});
