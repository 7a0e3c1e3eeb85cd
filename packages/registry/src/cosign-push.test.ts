import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.js';
import { dockerConfigCredentials } from './credentials.js';
import { RegistryError } from './registry-error.js';
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js';

// A loopback stand-in that takes uploads and manifests, and can be made to refuse or misbehave. The
// recorded cosign 2.5 signatures (testdata/cosign) show the bytes cosign writes: Signet writes the same.

const VECTORS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const IMAGE_DIGEST = 'sha256:3601fa8a5a80dba862b9c4a0fb4ae8d393bf4f30d720aa94a7f395facb22e55a';
const TAG = `${IMAGE_DIGEST.replace(':', '-')}.sig`;

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const vector = (file: string) => readFileSync(join(VECTORS, file));

interface RecordedLayer {
  digest: string;
  annotations: Record<string, string>;
}

/** The layers of a recorded `.sig` or `.att` manifest, as layers to attach. */
function recordedLayers(file: string) {
  const manifest = JSON.parse(vector(file).toString()) as {
    layers: (RecordedLayer & { mediaType: string })[];
  };
  return manifest.layers.map((l) => ({
    mediaType: l.mediaType,
    bytes: new Uint8Array(vector(`blobs/${l.digest.replace('sha256:', '')}`)),
    annotations: l.annotations,
  }));
}

/** Handles a request itself (true), or leaves it to the store (false). */
type Override = (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean;

class WritableRegistry {
  readonly manifests = new Map<string, Buffer>();
  readonly blobs = new Map<string, Buffer>();
  #uploads = 0;
  override: Override = () => false;
  server!: LoopbackServer;

  get host(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  async start(): Promise<this> {
    this.server = await startLoopbackServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (!this.override(req, res, body)) this.#answer(req, res, body);
      });
    });
    servers.push(this.server);
    return this;
  }

  #answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && /^\/v2\/.+\/blobs\/uploads\/$/.test(url.pathname)) {
      const id = `u${this.#uploads++}`;
      return void res.writeHead(202, { location: `${url.pathname}${id}?_state=s` }).end();
    }
    const upload = /^\/v2\/.+\/blobs\/uploads\/(u\d+)$/.exec(url.pathname);
    if (req.method === 'PUT' && upload !== null) {
      const digest = url.searchParams.get('digest') ?? '';
      if (digestOf(body) !== digest) return void error(res, 400, 'DIGEST_INVALID');
      this.blobs.set(digest, body);
      return void res.writeHead(201, { 'docker-content-digest': digest }).end();
    }
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (match === null) return void res.writeHead(404).end('404 page not found\n');
    const [, repo, kind, reference] = match as unknown as [string, string, string, string];
    if (kind === 'blobs') {
      const blob = this.blobs.get(reference);
      if (blob === undefined) return void error(res, 404, 'BLOB_UNKNOWN');
      res.writeHead(200, { 'content-length': blob.length });
      return void res.end(req.method === 'HEAD' ? undefined : blob);
    }
    if (req.method === 'PUT') {
      this.manifests.set(`${repo}:${reference}`, body);
      return void res.writeHead(201, { 'docker-content-digest': digestOf(body) }).end();
    }
    const manifest = this.manifests.get(`${repo}:${reference}`);
    if (manifest === undefined) return void error(res, 404, 'MANIFEST_UNKNOWN');
    res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': digestOf(manifest) });
    res.end(manifest);
  }

  writes(): string[] {
    return this.server.seen.filter((s) => s.method !== 'GET' && s.method !== 'HEAD').map((s) => s.method);
  }
}

function error(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase(), detail: {} }] }));
}

async function registry(): Promise<WritableRegistry> {
  return new WritableRegistry().start();
}

const clientFor = (fake: WritableRegistry, options: Parameters<typeof createRegistryClient>[0] = {}) =>
  createRegistryClient({ insecureRegistries: [fake.host], ...options });

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const caught = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(RegistryError);
  return caught as RegistryError;
}

describe('attachCosignSignature writes what cosign writes', () => {
  it('a first signature: the manifest and its config are byte for byte what cosign 2.5 wrote', async () => {
    const fake = await registry();
    const [layer] = recordedLayers('other.sig.manifest.json');
    const write = await clientFor(fake).attachCosignSignature(`${fake.host}/signet/other@${IMAGE_DIGEST}`, {
      layer: layer!,
    });
    const recorded = vector('other.sig.manifest.json');
    expect(write).toEqual({
      repository: `${fake.host}/signet/other`,
      tag: TAG,
      digest: digestOf(recorded),
      layers: 1,
      appended: true,
    });
    expect(fake.manifests.get(`signet/other:${TAG}`)?.toString()).toBe(recorded.toString());
    const configDigest = JSON.parse(recorded.toString()).config.digest as string;
    expect(fake.blobs.get(configDigest)?.toString()).toBe(
      vector(`blobs/${configDigest.replace('sha256:', '')}`).toString(),
    );
  });

  it('appends to what is there: four signatures in turn make the recorded four-layer manifest', async () => {
    const fake = await registry();
    const client = clientFor(fake);
    const image = `${fake.host}/signet/app@${IMAGE_DIGEST}`;
    let last: Awaited<ReturnType<typeof client.attachCosignSignature>> | undefined;
    for (const layer of recordedLayers('app.sig.manifest.json')) {
      last = await client.attachCosignSignature(image, { layer });
    }
    expect(last?.layers).toBe(4);
    expect(fake.manifests.get(`signet/app:${TAG}`)?.toString()).toBe(
      vector('app.sig.manifest.json').toString(),
    );
    const read = await client.readCosignArtifacts(image);
    expect(read.signatures.layers.map((l) => l.annotations)).toEqual(
      recordedLayers('app.sig.manifest.json').map((l) => l.annotations),
    );
  });

  it('asks for each blob with HEAD first and uploads only what the registry lacks', async () => {
    const fake = await registry();
    const client = clientFor(fake);
    const [first, second] = recordedLayers('app.sig.manifest.json');
    const image = `${fake.host}/signet/app@${IMAGE_DIGEST}`;
    await client.attachCosignSignature(image, { layer: first! });
    const before = fake.server.seen.length;
    await client.attachCosignSignature(image, { layer: second! });
    const later = fake.server.seen.slice(before);
    // Same payload blob (present: HEAD 200, not uploaded), a new config (uploaded), the manifest.
    expect(later.map((s) => s.method)).toEqual(['GET', 'HEAD', 'HEAD', 'POST', 'PUT', 'PUT']);
  });

  it('writes nothing when the identical signature is there already', async () => {
    const fake = await registry();
    const client = clientFor(fake);
    const [layer] = recordedLayers('other.sig.manifest.json');
    const image = `${fake.host}/signet/other@${IMAGE_DIGEST}`;
    const first = await client.attachCosignSignature(image, { layer: layer! });
    const writes = fake.writes().length;
    const again = await client.attachCosignSignature(image, { layer: layer! });
    expect(again).toEqual({ ...first, appended: false });
    expect(fake.writes().length).toBe(writes);
  });

  it('writes to the signature repository when one is given (COSIGN_REPOSITORY)', async () => {
    const fake = await registry();
    const [layer] = recordedLayers('other.sig.manifest.json');
    const write = await clientFor(fake).attachCosignSignature(`${fake.host}/signet/other@${IMAGE_DIGEST}`, {
      layer: layer!,
      repository: `${fake.host}/sigs/store`,
    });
    expect(write.repository).toBe(`${fake.host}/sigs/store`);
    expect(fake.manifests.has(`sigs/store:${TAG}`)).toBe(true);
    expect(fake.manifests.has(`signet/other:${TAG}`)).toBe(false);
  });
});

describe('attachCosignAttestation writes what cosign attest writes', () => {
  it('an attestation: the .att manifest and its config are byte for byte what cosign 2.5 wrote', async () => {
    const fake = await registry();
    const [layer] = recordedLayers('app.att.manifest.json');
    const write = await clientFor(fake).attachCosignAttestation(`${fake.host}/signet/app@${IMAGE_DIGEST}`, {
      layer: layer!,
    });
    const recorded = vector('app.att.manifest.json');
    expect(write).toMatchObject({
      tag: TAG.replace(/\.sig$/, '.att'),
      digest: digestOf(recorded),
      appended: true,
    });
    expect(fake.manifests.get(`signet/app:${TAG.replace(/\.sig$/, '.att')}`)?.toString()).toBe(
      recorded.toString(),
    );
  });

  it('does not add an attestation to a tag holding signatures', async () => {
    const fake = await registry();
    const [signature] = recordedLayers('other.sig.manifest.json');
    const [attestation] = recordedLayers('app.att.manifest.json');
    const client = clientFor(fake);
    await client.attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: signature! });
    fake.manifests.set(`a:${TAG.replace(/\.sig$/, '.att')}`, fake.manifests.get(`a:${TAG}`)!);
    const caught = await failure(
      client.attachCosignAttestation(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: attestation! }),
    );
    expect(caught.message).toContain('not a cosign attestation');
  });
});

describe('attachCosignSignature refuses, with the reason', () => {
  const layer = () => recordedLayers('other.sig.manifest.json')[0]!;

  it('an image named by tag: a signature is written for a digest, never a tag', async () => {
    const fake = await registry();
    const caught = await failure(
      clientFor(fake).attachCosignSignature(`${fake.host}/a:1`, { layer: layer() }),
    );
    expect(caught.code).toBe('REGISTRY_NOT_PINNED');
    expect(fake.server.seen).toEqual([]);
  });

  it('a 403 on the manifest: the credentials lack push rights', async () => {
    const fake = await registry();
    fake.override = (req, res) => {
      if (req.method !== 'PUT' || !req.url?.includes('/manifests/')) return false;
      error(res, 403, 'DENIED');
      return true;
    };
    const credentials = dockerConfigCredentials(
      JSON.stringify({ auths: { [fake.host]: { username: 'reader', password: 'p' } } }),
      'test config',
    );
    const caught = await failure(
      clientFor(fake, { credentials }).attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, {
        layer: layer(),
      }),
    );
    expect([caught.code, caught.status]).toEqual(['REGISTRY_DENIED', 403]);
    expect(caught.message).toContain('lack push rights');
    expect(caught.fix).toContain('push access');
  });

  it('a 401 to an anonymous upload: pushing needs credentials', async () => {
    const fake = await registry();
    fake.override = (req, res) => {
      if (req.method !== 'POST') return false;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      return true;
    };
    const caught = await failure(
      clientFor(fake).attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: layer() }),
    );
    expect(caught.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(caught.message).toContain('pushing needs credentials');
  });

  it('a tag that cannot be read is an error, and nothing is written over it', async () => {
    const fake = await registry();
    fake.override = (req, res) => {
      if (req.method !== 'GET') return false;
      error(res, 500, 'UNKNOWN');
      return true;
    };
    const caught = await failure(
      clientFor(fake).attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: layer() }),
    );
    expect([caught.code, caught.status]).toEqual(['REGISTRY_BAD_RESPONSE', 500]);
    expect(fake.writes()).toEqual([]);
  });

  it('a tag holding something other than cosign signatures is not added to', async () => {
    const fake = await registry();
    fake.manifests.set(
      `a:${TAG}`,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            size: 2,
            digest: digestOf(Buffer.from('{}')),
          },
          layers: [
            {
              mediaType: 'application/vnd.oci.image.layer.v1.tar',
              size: 1,
              digest: digestOf(Buffer.from('x')),
            },
          ],
        }),
      ),
    );
    const caught = await failure(
      clientFor(fake).attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: layer() }),
    );
    expect(caught.code).toBe('REGISTRY_BAD_RESPONSE');
    expect(caught.message).toContain('not a cosign signature');
    expect(fake.writes()).toEqual([]);
  });

  it('a registry that states another digest for the manifest it stored', async () => {
    const fake = await registry();
    fake.override = (req, res) => {
      if (req.method !== 'PUT' || !req.url?.includes('/manifests/')) return false;
      res.writeHead(201, { 'docker-content-digest': `sha256:${'0'.repeat(64)}` }).end();
      return true;
    };
    const caught = await failure(
      clientFor(fake).attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: layer() }),
    );
    expect(caught.code).toBe('REGISTRY_DIGEST_MISMATCH');
  });
});

describe('attachCosignSignature authenticates as reads do, asking for push', () => {
  it('asks the token realm for pull,push on the repository and sends the token on every write', async () => {
    const fake = await registry();
    const scopes: string[] = [];
    fake.override = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        const scope = url.searchParams.get('scope') ?? '';
        scopes.push(scope);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: Buffer.from(scope).toString('base64url'), expires_in: 300 }));
        return true;
      }
      const granted = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Bearer /, ''),
        'base64url',
      ).toString();
      if (granted.endsWith(':pull,push')) return false;
      const realm = `http://${fake.host}/token`;
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="test"` }).end();
      return true;
    };
    const credentials = dockerConfigCredentials(
      JSON.stringify({ auths: { [fake.host]: { username: 'u', password: 'p' } } }),
      'test config',
    );
    const [layer] = recordedLayers('other.sig.manifest.json');
    const write = await clientFor(fake, { credentials }).attachCosignSignature(
      `${fake.host}/team/app@${IMAGE_DIGEST}`,
      {
        layer: layer!,
      },
    );
    expect(write.appended).toBe(true);
    expect(new Set(scopes)).toEqual(new Set(['repository:team/app:pull,push']));
    const unauthorized = fake.server.seen.filter((s) => s.path !== '/token' && s.authorization === undefined);
    expect(unauthorized.map((s) => s.method)).toEqual(['GET']); // the first request, before the challenge
  });

  it('sends no credential to an upload location on another origin', async () => {
    const fake = await registry();
    const elsewhere = await registry();
    fake.override = (req, res) => {
      if (req.method !== 'POST') return false;
      res.writeHead(202, { location: `http://${elsewhere.host}/v2/a/blobs/uploads/u0` }).end();
      return true;
    };
    const credentials = dockerConfigCredentials(
      JSON.stringify({ auths: { [fake.host]: { username: 'u', password: 'p' } } }),
      'test config',
    );
    fake.override = ((inner) => (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return true;
      }
      return inner(req, res, body);
    })(fake.override);
    const [layer] = recordedLayers('other.sig.manifest.json');
    await clientFor(fake, {
      credentials,
      insecureRegistries: [fake.host, elsewhere.host],
    }).attachCosignSignature(`${fake.host}/a@${IMAGE_DIGEST}`, { layer: layer! });
    const puts = elsewhere.server.seen.filter((s) => s.method === 'PUT');
    expect(puts.length).toBe(2); // the layer and the config
    expect(puts.every((s) => s.authorization === undefined)).toBe(true);
  });
});
