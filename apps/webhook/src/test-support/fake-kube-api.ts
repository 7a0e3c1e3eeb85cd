import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface Watcher {
  plural: string;
  res: ServerResponse;
}

/**
 * A real HTTP server speaking the API server's list+watch wire format for custom resources:
 * `GET /apis/G/V/PLURAL` answers a `…List` with `metadata.resourceVersion`; with `?watch=true` it
 * streams newline-delimited `{"type":"ADDED|MODIFIED|DELETED","object":…}` events from that version.
 */
export class FakeKubeApi {
  readonly requests: {
    method: string;
    path: string;
    query: Record<string, string>;
    authorization?: string;
  }[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: { rv: number; plural: string; type: string; object: KubeObject }[] = [];
  private readonly watchers = new Set<Watcher>();
  private resourceVersion = 100;
  /** Plurals that answer 404 (the CRD is not installed). */
  readonly missing = new Set<string>();
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly group: string,
    private readonly version: string,
  ) {}

  /** Serves HTTPS with this certificate (the client refuses plain HTTP without skipTLSVerify). */
  async start(tls: { cert: string; key: string }): Promise<string> {
    this.server = createServer(tls, (req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.res.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Ends every open watch, as the API server does when its watch timeout passes. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  put(plural: string, object: KubeObject): void {
    const items = this.itemsOf(plural);
    const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const type = items.has(key) ? 'MODIFIED' : 'ADDED';
    this.resourceVersion += 1;
    const stored = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(this.resourceVersion) },
    };
    items.set(key, stored);
    this.emit(plural, type, stored);
  }

  remove(plural: string, namespace: string, name: string): void {
    const items = this.itemsOf(plural);
    const stored = items.get(`${namespace}/${name}`);
    if (!stored) return;
    items.delete(`${namespace}/${name}`);
    this.resourceVersion += 1;
    this.emit(plural, 'DELETED', {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: String(this.resourceVersion) },
    });
  }

  watchCount(plural: string): number {
    return [...this.watchers].filter((w) => w.plural === plural).length;
  }

  private itemsOf(plural: string): Map<string, KubeObject> {
    let items = this.objects.get(plural);
    if (!items) {
      items = new Map();
      this.objects.set(plural, items);
    }
    return items;
  }

  private emit(plural: string, type: string, object: KubeObject): void {
    this.history.push({ rv: this.resourceVersion, plural, type, object });
    for (const watcher of this.watchers) {
      if (watcher.plural === plural) watcher.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
    });
    const prefix = `/apis/${this.group}/${this.version}/`;
    const plural = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    if (req.method !== 'GET' || !plural || plural.includes('/') || this.missing.has(plural)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        }),
      );
      return;
    }
    if (query.watch === 'true') {
      this.startWatch(plural, Number(query.resourceVersion ?? '0'), res);
      return;
    }
    const kind =
      plural === 'attestationauthorities'
        ? 'AttestationAuthority'
        : plural.replace(/ies$/, 'y').replace(/s$/, '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: `${this.group}/${this.version}`,
        kind: `${kind}List`,
        metadata: { resourceVersion: String(this.resourceVersion) },
        items: [...this.itemsOf(plural).values()],
      }),
    );
  }

  private startWatch(plural: string, since: number, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    for (const event of this.history) {
      if (event.plural === plural && event.rv > since)
        res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
    }
    const watcher = { plural, res };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }
}
