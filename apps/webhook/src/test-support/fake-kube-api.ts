import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  alreadyExists,
  applyJsonPatch,
  conflict,
  creationProblem,
  forbiddenStatus,
  type JsonPatch,
  type KubeObject,
  notFound,
  status,
  unsupportedMediaType,
} from './kube-status.js';

export type { KubeObject } from './kube-status.js';

/** One request the fake API server answered, with the status it answered. */
export interface ReceivedKubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  status: number;
}

/** An HTTP status and the JSON body to send with it. */
type Answer = [number, unknown];

interface Watcher {
  plural: string;
  res: ServerResponse;
}

const SECRET_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/;
const SERVICE_ACCOUNT_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/;
const WEBHOOK_CONFIG_PATH =
  /^\/apis\/admissionregistration\.k8s\.io\/v1\/(validating|mutating)webhookconfigurations\/([^/]+)$/;
const CUSTOM_RESOURCE_PATH = /^\/apis\/([^/]+)\/([^/]+)\/([^/]+)$/;

/**
 * A real HTTPS server speaking the Kubernetes API's wire format for the calls the webhook's policy
 * source and `--manage-certs` make, with its own CA and a bearer token (anything else gets 401):
 * - custom resources, list and watch: `GET /apis/G/V/PLURAL` answers a `…List` with
 *   `metadata.resourceVersion`; with `?watch=true` it streams newline-delimited
 *   `{"type":"ADDED|MODIFIED|DELETED","object":…}` events from that version (`put`, `remove`);
 * - for `--manage-certs`: Secrets (GET, POST, PUT with resourceVersion preconditions) and
 *   Validating- and MutatingWebhookConfigurations (GET, PATCH with application/json-patch+json);
 * - for pull secrets: Secrets and ServiceAccounts (GET);
 * - failures as `metav1.Status` bodies, as a real kube-apiserver sends them (`forbid`, `fail`).
 * Tests inspect `secrets`, `serviceAccounts`, `webhookConfigs` (validating), `mutatingWebhookConfigs`
 * and `requests`.
 */
export class FakeKubeApi {
  /** The service account token a request must carry. */
  readonly token = 'fake-service-account-token';
  /** Secrets and ServiceAccounts by `namespace/name`. */
  readonly secrets = new Map<string, KubeObject>();
  readonly serviceAccounts = new Map<string, KubeObject>();
  readonly webhookConfigs = new Map<string, KubeObject>();
  readonly mutatingWebhookConfigs = new Map<string, KubeObject>();
  readonly requests: ReceivedKubeRequest[] = [];
  /** Custom resource plurals that answer 404 (the CRD is not installed). */
  readonly missing = new Set<string>();
  url = '';
  caPem = '';
  private server: Server | undefined;
  private dir: string | undefined;
  private resourceVersion = 100;
  private readonly resources = new Map<string, Map<string, KubeObject>>();
  private readonly history: { rv: number; plural: string; type: string; object: KubeObject }[] = [];
  private readonly watchers = new Set<Watcher>();
  private heldReads: (() => void)[] = [];
  private holdReadsUntil = 0;
  private forbidden: { method: string; pathPrefix: string } | undefined;
  private failures: { method: string; pathPrefix: string; code: number }[] = [];
  private gate: { arrived: () => void; released: Promise<void> } | undefined;

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'signet-fake-kube-'));
    const key = join(this.dir, 'key.pem');
    const cert = join(this.dir, 'cert.pem');
    // biome-ignore format: the openssl command line reads best as written
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=fake-kube-apiserver',
      '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    this.caPem = readFileSync(cert, 'utf8');
    this.server = createServer({ key: readFileSync(key), cert: this.caPem }, (req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const release of this.heldReads) release();
    this.endWatches();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** A KubeConfig as a pod would have: the server's URL, its CA and the bearer token (or `token`). */
  kubeConfig(token = this.token, namespace?: string): KubeConfig {
    if (!this.server) throw new Error('start() the fake API server first');
    const kube = new KubeConfig();
    kube.loadFromOptions({
      clusters: [
        {
          name: 'fake',
          server: this.url,
          caData: Buffer.from(this.caPem).toString('base64'),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'webhook', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'webhook', ...(namespace ? { namespace } : {}) }],
      currentContext: 'fake',
    });
    return kube;
  }

  /** Writes `kubeConfig(token, namespace)` to `file` as `kubectl config view --raw` would (JSON is YAML). */
  writeKubeconfig(file: string, token = this.token, namespace?: string): string {
    writeFileSync(file, this.kubeConfig(token, namespace).exportConfig());
    return file;
  }

  count(method: string, pathPrefix: string, status?: number): number {
    return this.requests.filter(
      (r) =>
        r.method === method && r.path.startsWith(pathPrefix) && (status === undefined || r.status === status),
    ).length;
  }

  // --- custom resources (list+watch)

  /** Adds or replaces a custom resource; open watches of `plural` see ADDED or MODIFIED. */
  put(plural: string, object: KubeObject): void {
    const items = this.itemsOf(plural);
    const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const type = items.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: this.nextVersion() } };
    items.set(key, stored);
    this.emit(plural, type, stored);
  }

  remove(plural: string, namespace: string, name: string): void {
    const items = this.itemsOf(plural);
    const stored = items.get(`${namespace}/${name}`);
    if (!stored) return;
    items.delete(`${namespace}/${name}`);
    this.emit(plural, 'DELETED', {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: this.nextVersion() },
    });
  }

  watchCount(plural: string): number {
    return [...this.watchers].filter((w) => w.plural === plural).length;
  }

  /** Ends every open watch, as the API server does when its watch timeout passes. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  // --- Secrets and ValidatingWebhookConfigurations (--manage-certs)

  /** Answers 403 Forbidden, as RBAC does, to `method` on paths starting with `pathPrefix`. */
  forbid(method: string, pathPrefix: string): void {
    this.forbidden = { method, pathPrefix };
  }

  /** Answers `code` (a 5xx) to `method` on paths starting with `pathPrefix`, as a failing API server does. */
  fail(method: string, pathPrefix: string, code = 503): void {
    this.failures.push({ method, pathPrefix, code });
  }

  /** Ends every `fail`: the API server answers again. */
  recover(): void {
    this.failures = [];
  }

  /** Holds the next Secret read until `release()`; `arrived` resolves when that read came in. */
  holdNextSecretRead(): { arrived: Promise<void>; release: () => void } {
    let arrived = () => {};
    let release = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    this.gate = { arrived, released: new Promise((resolve) => (release = resolve)) };
    return { arrived: arrival, release };
  }

  /** Holds the next `count` Secret reads until all of them arrived, so that concurrent callers race. */
  holdSecretReads(count: number): void {
    this.holdReadsUntil = count;
  }

  /** Stores a Validating- or MutatingWebhookConfiguration (by its `kind`). */
  addWebhookConfig(config: KubeObject): void {
    const name = String(config.metadata.name);
    this.configsOf(config.kind === 'MutatingWebhookConfiguration' ? 'mutating' : 'validating').set(name, {
      ...config,
      metadata: { ...config.metadata, resourceVersion: this.nextVersion() },
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://fake');
    const body = await readBody(req);
    const record = (status: number) =>
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        status,
      });
    const answer = await this.route(req, url, body);
    if (answer === 'watch') {
      record(200);
      return this.startWatch(url, res);
    }
    const [code, object] = answer;
    record(code);
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(object));
  }

  private async route(req: IncomingMessage, url: URL, body: string): Promise<Answer | 'watch'> {
    const path = url.pathname;
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return [401, status(401, 'Unauthorized', 'Unauthorized')];
    if (this.forbidden && req.method === this.forbidden.method && path.startsWith(this.forbidden.pathPrefix))
      return [403, forbiddenStatus(req.method ?? '', path)];
    const failure = this.failures.find((f) => req.method === f.method && path.startsWith(f.pathPrefix));
    if (failure)
      return [failure.code, status(failure.code, 'ServiceUnavailable', 'the server is unavailable')];
    const accountMatch = SERVICE_ACCOUNT_PATH.exec(path);
    if (accountMatch && req.method === 'GET') {
      const found = this.serviceAccounts.get(`${accountMatch[1]}/${accountMatch[2]}`);
      return found ? [200, found] : [404, notFound('serviceaccounts', accountMatch[2] ?? '')];
    }
    const secretMatch = SECRET_PATH.exec(path);
    if (secretMatch) return this.secretRoute(req, secretMatch[1] ?? '', secretMatch[2], body);
    const configMatch = WEBHOOK_CONFIG_PATH.exec(path);
    if (configMatch) return this.webhookRoute(req, configMatch[1] ?? '', configMatch[2] ?? '', body);
    const custom = CUSTOM_RESOURCE_PATH.exec(path);
    if (custom && req.method === 'GET' && !this.missing.has(custom[3] ?? '')) {
      if (url.searchParams.get('watch') === 'true') return 'watch';
      return [200, this.list(custom[1] ?? '', custom[2] ?? '', custom[3] ?? '')];
    }
    return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
  }

  private list(group: string, version: string, plural: string) {
    const kind =
      plural === 'attestationauthorities'
        ? 'AttestationAuthority'
        : plural.replace(/ies$/, 'y').replace(/s$/, '');
    return {
      apiVersion: `${group}/${version}`,
      kind: `${kind}List`,
      metadata: { resourceVersion: String(this.resourceVersion) },
      items: [...this.itemsOf(plural).values()],
    };
  }

  private startWatch(url: URL, res: ServerResponse): void {
    const plural = url.pathname.split('/').pop() ?? '';
    const since = Number(url.searchParams.get('resourceVersion') ?? '0');
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

  private itemsOf(plural: string): Map<string, KubeObject> {
    let items = this.resources.get(plural);
    if (!items) {
      items = new Map();
      this.resources.set(plural, items);
    }
    return items;
  }

  private emit(plural: string, type: string, object: KubeObject): void {
    this.history.push({ rv: this.resourceVersion, plural, type, object });
    for (const watcher of this.watchers) {
      if (watcher.plural === plural) watcher.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  private async secretRoute(
    req: IncomingMessage,
    namespace: string,
    name: string | undefined,
    body: string,
  ): Promise<Answer> {
    const key = (n: string) => `${namespace}/${n}`;
    if (req.method === 'GET' && name) {
      await this.maybeHoldRead();
      const found = this.secrets.get(key(name));
      return found ? [200, found] : [404, notFound('secrets', name)];
    }
    if (req.method === 'POST' && !name) {
      if (!isJson(req)) return [415, unsupportedMediaType(req)];
      const object = JSON.parse(body) as KubeObject;
      const objectName = String(object.metadata?.name ?? '');
      const invalid = creationProblem(object, namespace);
      if (invalid) return [400, status(400, 'BadRequest', invalid)];
      if (this.secrets.has(key(objectName))) return [409, alreadyExists('secrets', objectName)];
      const stored = this.persist(object, namespace);
      this.secrets.set(key(objectName), stored);
      return [201, stored];
    }
    if (req.method === 'PUT' && name) {
      if (!isJson(req)) return [415, unsupportedMediaType(req)];
      const object = JSON.parse(body) as KubeObject;
      const current = this.secrets.get(key(name));
      if (!current) return [404, notFound('secrets', name)];
      const wanted = object.metadata?.resourceVersion;
      if (wanted !== undefined && wanted !== current.metadata.resourceVersion)
        return [409, conflict('secrets', name)];
      const stored = this.persist(object, namespace, current.metadata);
      this.secrets.set(key(name), stored);
      return [200, stored];
    }
    return [
      405,
      status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
    ];
  }

  private configsOf(type: string): Map<string, KubeObject> {
    return type === 'mutating' ? this.mutatingWebhookConfigs : this.webhookConfigs;
  }

  private webhookRoute(req: IncomingMessage, type: string, name: string, body: string): Answer {
    const configs = this.configsOf(type);
    const current = configs.get(name);
    const notFoundBody = notFound(`${type}webhookconfigurations`, name, 'admissionregistration.k8s.io');
    if (req.method === 'GET') return current ? [200, current] : [404, notFoundBody];
    if (req.method !== 'PATCH') return [405, status(405, 'MethodNotAllowed', 'method not allowed')];
    if (!current) return [404, notFoundBody];
    if (req.headers['content-type'] !== 'application/json-patch+json')
      return [415, unsupportedMediaType(req)];
    const patched = applyJsonPatch(current, JSON.parse(body) as JsonPatch[]);
    if (typeof patched === 'string') return [422, status(422, 'Invalid', patched)];
    patched.metadata = { ...patched.metadata, resourceVersion: this.nextVersion() };
    configs.set(name, patched);
    return [200, patched];
  }

  private maybeHoldRead(): Promise<void> {
    const gate = this.gate;
    if (gate) {
      this.gate = undefined;
      gate.arrived();
      return gate.released;
    }
    if (this.holdReadsUntil === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.heldReads.push(resolve);
      if (this.heldReads.length >= this.holdReadsUntil) {
        this.holdReadsUntil = 0;
        for (const release of this.heldReads.splice(0)) release();
      }
    });
  }

  private persist(object: KubeObject, namespace: string, previous?: Record<string, unknown>): KubeObject {
    return {
      ...object,
      metadata: {
        ...object.metadata,
        namespace,
        uid: previous?.uid ?? `uid-${this.resourceVersion}`,
        creationTimestamp: previous?.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: this.nextVersion(),
      },
    };
  }

  private nextVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }
}

function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/json');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
