import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { GrafeasError } from '../errors.js';
import { openMetadataStore } from '../open.js';
import type { MetadataStore } from '../store.js';
import { listenOnLoopback } from '../test-support/loopback-server.js';

interface FaultServer {
  url: string;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

const servers: FaultServer[] = [];
const stores: MetadataStore[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(handler: Handler): Promise<FaultServer> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => handler(req, res, requests.length));
  });
  const fault: FaultServer = { ...(await listenOnLoopback(server)), requests };
  servers.push(fault);
  return fault;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const OCCURRENCE_V1 = {
  name: 'projects/p/occurrences/1',
  resourceUri: 'https://gcr.io/p/a@sha256:00',
  noteName: 'projects/p/notes/n',
  attestation: { serializedPayload: 'e30=', signatures: [{ signature: 'AQ==', publicKeyId: 'k' }] },
};
const OCCURRENCE_V1BETA1 = {
  name: 'projects/p/occurrences/1',
  resource: { uri: 'https://gcr.io/p/a@sha256:00' },
  noteName: 'projects/p/notes/n',
  attestation: { attestation: { pgpSignedAttestation: { signature: 'x', pgpKeyId: 'F' } } },
};

const CLIENTS = [
  {
    label: 'containeranalysis v1 (googleapis)',
    url: (u: string) => `containeranalysis:${u}`,
    api: 'v1' as const,
    ok: OCCURRENCE_V1,
  },
  {
    label: 'grafeas: (plain HTTP)',
    url: (u: string) => `grafeas:${u}`,
    api: 'v1beta1' as const,
    ok: OCCURRENCE_V1BETA1,
  },
];

/**
 * A deadline for calls whose outcome does not depend on time: far beyond anything a loaded machine
 * needs (loading googleapis alone has taken over 10 s there), and no cost, since they end on an event.
 */
const GENEROUS_MS = 240_000;

async function open(
  client: (typeof CLIENTS)[number],
  url: string,
  timeoutMs = GENEROUS_MS,
): Promise<MetadataStore> {
  const store = await openMetadataStore(client.url(url), {
    api: client.api,
    timeoutMs,
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
  });
  stores.push(store);
  return store;
}

async function failure(promise: Promise<unknown>): Promise<GrafeasError> {
  const result = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in result)) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error as GrafeasError;
}

for (const client of CLIENTS) {
  describe(`faults: ${client.label}`, () => {
    it('server down (connection refused) -> GRAFEAS_UNAVAILABLE naming the backend', async () => {
      const gone = await serve(() => {});
      await gone.close();
      servers.pop();
      const store = await open(client, gone.url);
      const e = await failure(store.listOccurrences('p', { signal: AbortSignal.timeout(GENEROUS_MS) }));
      expect(e.code).toBe('GRAFEAS_UNAVAILABLE');
      expect(e.message).toContain(gone.url);
      expect(e.fix).toContain('reachable');
    });

    it('server hangs -> GRAFEAS_DEADLINE_EXCEEDED from the caller deadline', async () => {
      // The caller's deadline passes once the request is at the server (as AbortSignal.timeout would,
      // but on the event rather than a clock, so a slow machine cannot expire it before the request).
      const deadline = new AbortController();
      const hang = await serve(() => deadline.abort(new DOMException('deadline passed', 'TimeoutError')));
      const store = await open(client, hang.url);
      const e = await failure(store.listOccurrences('p', { signal: deadline.signal }));
      expect(e.code).toBe('GRAFEAS_DEADLINE_EXCEEDED');
      expect(hang.requests).toHaveLength(1);
    });

    it('server hangs -> the store default deadline applies when the caller gives none', async () => {
      const hang = await serve(() => {});
      const store = await open(client, hang.url, 300);
      const e = await failure(store.getNote('projects/p/notes/n'));
      expect(e.code).toBe('GRAFEAS_DEADLINE_EXCEEDED');
    });

    it('caller cancels -> GRAFEAS_CANCELLED', async () => {
      const controller = new AbortController();
      const hang = await serve(() => controller.abort(new Error('shutting down')));
      const store = await open(client, hang.url);
      const e = await failure(store.listOccurrences('p', { signal: controller.signal }));
      expect(e.code).toBe('GRAFEAS_CANCELLED');
      expect(hang.requests).toHaveLength(1);
    });

    it('503, 500 and 429 then recovery -> the recovered result', async () => {
      const flaky = await serve((_req, res, n) => {
        if (n === 1) json(res, 503, { error: { code: 503, message: 'try later', status: 'UNAVAILABLE' } });
        else if (n === 2) json(res, 500, { code: 13, message: 'boom' });
        else if (n === 3)
          json(res, 429, { error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } });
        else json(res, 200, { occurrences: [client.ok] });
      });
      const store = await open(client, flaky.url);
      const result = await store.listOccurrences('p', { signal: AbortSignal.timeout(GENEROUS_MS) });
      expect(result.items.map((o) => o.name)).toEqual(['projects/p/occurrences/1']);
      expect(flaky.requests).toHaveLength(4);
    });

    it('always 503 -> retries are bounded, then GRAFEAS_UNAVAILABLE', async () => {
      const down = await serve((_req, res) => json(res, 503, { code: 14, message: 'unavailable' }));
      const store = await open(client, down.url);
      const e = await failure(store.listOccurrences('p', { signal: AbortSignal.timeout(GENEROUS_MS) }));
      expect(e).toMatchObject({ code: 'GRAFEAS_UNAVAILABLE', httpStatus: 503, grpcCode: 14 });
      expect(down.requests).toHaveLength(4);
    });

    it('200 with a non-JSON body -> GRAFEAS_BAD_RESPONSE, not retried', async () => {
      const html = await serve((_req, res) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
      );
      const store = await open(client, html.url);
      const e = await failure(store.listOccurrences('p'));
      expect(e.code).toBe('GRAFEAS_BAD_RESPONSE');
      expect(html.requests).toHaveLength(1);
    });

    it('502 with an HTML body -> retried, then GRAFEAS_SERVER_ERROR with the status', async () => {
      const proxy = await serve((_req, res) =>
        res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>'),
      );
      const store = await open(client, proxy.url);
      const e = await failure(store.getNote('projects/p/notes/n'));
      expect(e).toMatchObject({ code: 'GRAFEAS_SERVER_ERROR', httpStatus: 502 });
      expect(e.message).toContain('Bad Gateway');
      expect(proxy.requests).toHaveLength(4);
    });

    it('404 -> GRAFEAS_NOT_FOUND at once', async () => {
      const missing = await serve((_req, res) => json(res, 404, { code: 5, message: 'Note does not Exist' }));
      const store = await open(client, missing.url);
      const e = await failure(store.getNote('projects/p/notes/n'));
      expect(e).toMatchObject({ code: 'GRAFEAS_NOT_FOUND', grpcCode: 5 });
      expect(missing.requests).toHaveLength(1);
    });

    it('a looping page token -> GRAFEAS_BAD_RESPONSE instead of an endless listing', async () => {
      const loop = await serve((_req, res, n) =>
        json(res, 200, {
          occurrences: [{ ...client.ok, name: `projects/p/occurrences/${n}` }],
          nextPageToken: 'same',
        }),
      );
      const store = await open(client, loop.url);
      const e = await failure(store.listOccurrences('p'));
      expect(e.code).toBe('GRAFEAS_BAD_RESPONSE');
      expect(loop.requests).toHaveLength(2);
    });

    it('occurrences it cannot understand come back as skipped; the rest is listed', async () => {
      const mixed = await serve((_req, res) =>
        json(res, 200, {
          occurrences: [client.ok, { name: 'projects/p/occurrences/b', build: {} }, 'garbage', null],
        }),
      );
      const store = await open(client, mixed.url);
      const result = await store.listOccurrences('p');
      expect(result.items).toHaveLength(1);
      expect(result.skipped).toHaveLength(3);
      expect(result.skipped[0]?.name).toBe('projects/p/occurrences/b');
    });

    it('sends no Authorization header to a loopback server, and lowerCamel query parameters', async () => {
      const echo = await serve((_req, res) => json(res, 200, { occurrences: [] }));
      const store = await open(client, echo.url);
      await store.listOccurrences('p', { resourceUrl: 'https://gcr.io/p/a@sha256:00', kind: 'ATTESTATION' });
      const req = echo.requests[0]!;
      expect(req.headers.authorization).toBeUndefined();
      const url = new URL(req.url ?? '', echo.url);
      expect(url.pathname).toBe(`/${client.api}/projects/p/occurrences`);
      expect(url.searchParams.get('pageSize')).toBe('1000');
      expect(url.searchParams.get('filter')).toBe(
        '((resourceUrl = "https://gcr.io/p/a@sha256:00") OR (resourceUrl = "gcr.io/p/a@sha256:00")) AND kind = "ATTESTATION"',
      );
    });
  });
}

describe('store URLs', () => {
  it.each([
    ['mysql://x', 'unknown kind of store'],
    ['sqlite:', 'empty'],
    ['grafeas:ftp://x', 'http(s)'],
    ['containeranalysis:not a url', 'not a URL'],
  ])('%s -> GRAFEAS_BAD_STORE_URL', async (url, why) => {
    const e = await failure(openMetadataStore(url));
    expect(e.code).toBe('GRAFEAS_BAD_STORE_URL');
    expect(e.message).toContain(why);
  });

  // Issue 11 finding 8: the fix named the store URL forms instead of the API version.
  it('refuses v1 for open-source Grafeas, and the fix says --api v1beta1', async () => {
    const e = await failure(openMetadataStore('grafeas:http://127.0.0.1:1', { api: 'v1' }));
    expect(e.code).toBe('GRAFEAS_BAD_STORE_URL');
    expect(e.message).toContain('v1beta1 only');
    expect(e.fix).toContain('--api v1beta1');
    expect(e.fix).not.toContain('sqlite:');
  });
});
