import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiVersion } from '../model.js';
import { openMetadataStore } from '../open.js';
import type { MetadataStore } from '../store.js';
import { listenOnLoopback } from '../test-support/loopback-server.js';

interface Seen {
  method: string;
  url: URL;
  body: unknown;
}

type Answer = { status: number; body: unknown };

interface Recorder {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback server that records each request (body included) and answers from `answer`. */
async function record(answer: (seen: Seen, n: number) => Answer): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const one = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://x'),
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(one);
      const { status, body } = answer(one, seen.length);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  const recorder = { ...(await listenOnLoopback(server)), seen };
  cleanups.push(recorder.close);
  return recorder;
}

const CLIENTS: { label: string; scheme: string; api: ApiVersion }[] = [
  { label: 'containeranalysis v1 (googleapis)', scheme: 'containeranalysis', api: 'v1' },
  { label: 'containeranalysis v1beta1 (googleapis)', scheme: 'containeranalysis', api: 'v1beta1' },
  { label: 'grafeas: (plain HTTP)', scheme: 'grafeas', api: 'v1beta1' },
];

const IMAGE = `gcr.io/p/app@sha256:${'a'.repeat(64)}`;

function occurrence(api: ApiVersion, resourceUri: string, n: number): Record<string, unknown> {
  const resource = api === 'v1' ? { resourceUri } : { resource: { uri: resourceUri } };
  const attestation =
    api === 'v1'
      ? { serializedPayload: 'e30=', signatures: [{ signature: 'AQ==', publicKeyId: 'k' }] }
      : { attestation: { pgpSignedAttestation: { signature: 'x', pgpKeyId: 'F' } } };
  return { name: `projects/p/occurrences/${n}`, ...resource, noteName: 'projects/p/notes/n', attestation };
}

async function open(
  client: (typeof CLIENTS)[number],
  root: string,
  debug?: (line: string) => void,
): Promise<MetadataStore> {
  const store = await openMetadataStore(`${client.scheme}:${root}`, {
    api: client.api,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    ...(debug ? { debug } : {}),
  });
  cleanups.push(() => store.close());
  return store;
}

for (const client of CLIENTS) {
  describe(`the write path and lookups: ${client.label}`, () => {
    // Issue 11 finding 1: gcloud stores the resource without https://; only https:// was looked up.
    it('finds both spellings of an image, https://X and X, and nothing looser', async () => {
      const stored = [
        `https://${IMAGE}`,
        IMAGE,
        `http://${IMAGE}`,
        `HTTPS://${IMAGE}`,
        `https://${IMAGE}x`,
        `https://gcr.io/p/app`,
        `https://mirror.example/${IMAGE}`,
      ];
      const server = await record(() => ({
        status: 200,
        body: { occurrences: stored.map((uri, i) => occurrence(client.api, uri, i)) },
      }));
      const store = await open(client, server.url);
      for (const asked of [`https://${IMAGE}`, IMAGE]) {
        const found = await store.listNoteOccurrences('projects/p/notes/n', asked);
        expect(found.items.map((o) => o.resourceUri)).toEqual([`https://${IMAGE}`, IMAGE]);
        const image = await store.listImageOccurrences('p', asked);
        expect(image.attestations.map((o) => o.resourceUri)).toEqual([`https://${IMAGE}`, IMAGE]);
      }
      const filter = server.seen[0]?.url.searchParams.get('filter');
      expect(filter).toBe(`((resourceUrl = "https://${IMAGE}") OR (resourceUrl = "${IMAGE}"))`);
    });

    // Issue 11 finding 5: without kind, real Grafeas stores NOTE_KIND_UNSPECIFIED.
    it('always sends kind on notes and occurrences', async () => {
      const named = (body: unknown) => ({ name: 'projects/p/occurrences/1', ...(body as object) });
      const server = await record(({ body }) => {
        const batch = (body as { occurrences?: unknown[] }).occurrences;
        return { status: 200, body: batch ? { occurrences: batch.map(named) } : named(body) };
      });
      const store = await open(client, server.url);
      await store.createNote('p', 'n', { kind: 'ATTESTATION', humanReadableName: 'qa' });
      await store.createOccurrence('p', {
        kind: 'ATTESTATION',
        resourceUri: `https://${IMAGE}`,
        noteName: 'projects/p/notes/n',
        signature: {
          form: 'generic',
          serializedPayload: new Uint8Array([123, 125]),
          signatures: [{ publicKeyId: 'k', signature: new Uint8Array([1]) }],
        },
      });
      await store.batchCreateOccurrences('p', [
        {
          kind: 'DISCOVERY',
          resourceUri: `https://${IMAGE}`,
          noteName: 'projects/p/notes/scan',
          analysisStatus: 'FINISHED_SUCCESS',
        },
      ]);
      const [note, attestation, batch] = server.seen.map((s) => s.body as Record<string, unknown>);
      expect(note?.kind).toBe('ATTESTATION');
      expect(attestation?.kind).toBe('ATTESTATION');
      expect((batch as { occurrences: Record<string, unknown>[] }).occurrences[0]?.kind).toBe('DISCOVERY');
    });

    // Issue 11 finding 6: the path of the store URL was dropped.
    it('keeps a path prefix of the store URL', async () => {
      const server = await record(() => ({ status: 200, body: { occurrences: [] } }));
      const store = await open(client, `${server.url}/grafeas/api`);
      await store.listOccurrences('p');
      expect(server.seen[0]?.url.pathname).toBe(`/grafeas/api/${client.api}/projects/p/occurrences`);
      expect(store.backend).toContain(`${server.url}/grafeas/api`);
    });

    // Issue 11 finding 7: real Grafeas deletes, answers 500, and the retry gets 404.
    it('reports a delete answered 5xx then 404 on retry as deleted, with a debug line', async () => {
      const server = await record((_, n) =>
        n % 2 === 1
          ? {
              status: 500,
              body: { error: 'grpc: error while marshaling: proto: Marshal called with nil', code: 13 },
            }
          : { status: 404, body: { error: 'does not Exist', message: 'does not Exist', code: 5 } },
      );
      const lines: string[] = [];
      const store = await open(client, server.url, (line) => lines.push(line));
      await store.deleteOccurrence('projects/p/occurrences/1');
      await store.deleteNote('projects/p/notes/n');
      expect(server.seen.map((s) => s.method)).toEqual(['DELETE', 'DELETE', 'DELETE', 'DELETE']);
      expect(lines.join('\n')).toMatch(/answered 500 .*then 404 on retry: deleted/);
    });

    it('a 404 on the first attempt of a delete is still NOT_FOUND', async () => {
      const server = await record(() => ({ status: 404, body: { message: 'does not Exist', code: 5 } }));
      const store = await open(client, server.url);
      await expect(store.deleteOccurrence('projects/p/occurrences/1')).rejects.toMatchObject({
        code: 'GRAFEAS_NOT_FOUND',
      });
    });

    // Issue 11 finding 7: a missing note's occurrence listing answers 404.
    it("a missing note's occurrence listing is no attestations, not an error", async () => {
      const server = await record(() => ({
        status: 404,
        body: { error: 'Note does not Exist', message: 'Note does not Exist', code: 5 },
      }));
      const store = await open(client, server.url);
      const found = await store.listNoteOccurrences('projects/p/notes/ghost', `https://${IMAGE}`);
      expect(found).toEqual({ items: [], skipped: [] });
    });

    it('accepts signatures in URL-safe base64 with padding, as gcloud writes them', async () => {
      const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x3e]);
      const urlSafe = `${bytes.toString('base64url')}==`;
      const signatures = [{ signature: urlSafe, publicKeyId: 'k' }];
      const payload = Buffer.from('{"critical":{"x":"??>"}}').toString('base64url');
      const details =
        client.api === 'v1'
          ? { attestation: { serializedPayload: payload, signatures } }
          : {
              attestation: {
                attestation: { genericSignedAttestation: { serializedPayload: payload, signatures } },
              },
            };
      const resource = client.api === 'v1' ? { resourceUri: IMAGE } : { resource: { uri: IMAGE } };
      const server = await record(() => ({
        status: 200,
        body: { name: 'projects/p/occurrences/1', ...resource, noteName: 'projects/p/notes/n', ...details },
      }));
      const store = await open(client, server.url);
      const got = await store.getOccurrence('projects/p/occurrences/1');
      if (got.kind !== 'ATTESTATION' || got.signature.form !== 'generic') throw new Error('not generic');
      expect(Buffer.from(got.signature.signatures[0]!.signature)).toEqual(bytes);
      expect(Buffer.from(got.signature.serializedPayload).toString()).toBe('{"critical":{"x":"??>"}}');
    });
  });
}
