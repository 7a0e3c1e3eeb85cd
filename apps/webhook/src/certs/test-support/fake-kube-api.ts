import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A real HTTPS server speaking the Kubernetes API's wire format for the calls `--manage-certs` makes:
 * Secrets (GET, POST, PUT with resourceVersion preconditions) and ValidatingWebhookConfigurations
 * (GET, PATCH with application/json-patch+json), with `metav1.Status` failure bodies as a real
 * kube-apiserver sends them. Tests inspect `secrets`, `webhookConfigs` and `requests`.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  status: number;
}

type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> };

const TOKEN = 'fake-service-account-token';
const SECRET_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/;
const VWC_PATH = /^\/apis\/admissionregistration\.k8s\.io\/v1\/validatingwebhookconfigurations\/([^/]+)$/;

export class FakeKubeApi {
  readonly secrets = new Map<string, KubeObject>();
  readonly webhookConfigs = new Map<string, KubeObject>();
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private dir: string | undefined;
  private caPem = '';
  private resourceVersion = 1000;
  private heldReads: (() => void)[] = [];
  private holdReadsUntil = 0;
  private forbidden: { method: string; pathPrefix: string } | undefined;
  private gate: { arrived: () => void; released: Promise<void> } | undefined;

  /** Answers 403 Forbidden, as RBAC does, to `method` on paths starting with `pathPrefix`. */
  forbid(method: string, pathPrefix: string): void {
    this.forbidden = { method, pathPrefix };
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

  addWebhookConfig(config: KubeObject): void {
    const name = String(config.metadata.name);
    this.webhookConfigs.set(name, {
      ...config,
      metadata: { ...config.metadata, resourceVersion: this.nextVersion() },
    });
  }

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
  }

  async stop(): Promise<void> {
    for (const release of this.heldReads) release();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** A KubeConfig as a pod would have: the server's URL, its CA and a bearer token. */
  kubeConfig(): KubeConfig {
    if (!this.server) throw new Error('start() the fake API server first');
    const port = (this.server.address() as AddressInfo).port;
    const kube = new KubeConfig();
    kube.loadFromOptions({
      clusters: [
        {
          name: 'fake',
          server: `https://127.0.0.1:${port}`,
          caData: base64(this.caPem),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'webhook', token: TOKEN }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'webhook' }],
      currentContext: 'fake',
    });
    return kube;
  }

  count(method: string, pathPrefix: string, status?: number): number {
    return this.requests.filter(
      (r) =>
        r.method === method && r.path.startsWith(pathPrefix) && (status === undefined || r.status === status),
    ).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://fake').pathname;
    const body = await readBody(req);
    const reply = (status: number, object: unknown) => {
      this.requests.push({
        method: req.method ?? '',
        path,
        contentType: req.headers['content-type'],
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(object));
    };
    const [code, object] = await this.route(req, path, body);
    reply(code, object);
  }

  private async route(req: IncomingMessage, path: string, body: string): Promise<Answer> {
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return [401, status(401, 'Unauthorized', 'Unauthorized')];
    if (this.forbidden && req.method === this.forbidden.method && path.startsWith(this.forbidden.pathPrefix))
      return [403, forbiddenStatus(req.method ?? '', path)];
    const secretMatch = SECRET_PATH.exec(path);
    if (secretMatch) return this.secretRoute(req, secretMatch[1] ?? '', secretMatch[2], body);
    const vwcMatch = VWC_PATH.exec(path);
    if (vwcMatch) return this.webhookRoute(req, vwcMatch[1] ?? '', body);
    return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
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

  private webhookRoute(req: IncomingMessage, name: string, body: string): Answer {
    const current = this.webhookConfigs.get(name);
    const notFoundBody = notFound('validatingwebhookconfigurations', name, 'admissionregistration.k8s.io');
    if (req.method === 'GET') return current ? [200, current] : [404, notFoundBody];
    if (req.method !== 'PATCH') return [405, status(405, 'MethodNotAllowed', 'method not allowed')];
    if (!current) return [404, notFoundBody];
    if (req.headers['content-type'] !== 'application/json-patch+json')
      return [415, unsupportedMediaType(req)];
    const patched = applyJsonPatch(current, JSON.parse(body) as JsonPatch[]);
    if (typeof patched === 'string') return [422, status(422, 'Invalid', patched)];
    patched.metadata = { ...patched.metadata, resourceVersion: this.nextVersion() };
    this.webhookConfigs.set(name, patched);
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

type JsonPatch = { op: string; path: string; value?: unknown };
/** An HTTP status and the JSON body to send with it. */
type Answer = [number, unknown];

/** RFC 6902 `test`, `add` and `replace` on a copy; a string explains why the patch does not apply. */
function applyJsonPatch(target: KubeObject, operations: JsonPatch[]): KubeObject | string {
  const copy = structuredClone(target);
  for (const operation of operations) {
    const segments = operation.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop();
    let parent: unknown = copy;
    for (const segment of segments) parent = (parent as Record<string, unknown> | undefined)?.[segment];
    if (typeof parent !== 'object' || parent === null || last === undefined) {
      return `doc is missing path: "${operation.path}": missing value`;
    }
    const container = parent as Record<string, unknown>;
    if (operation.op === 'test') {
      if (JSON.stringify(container[last]) !== JSON.stringify(operation.value)) {
        return `testing value ${operation.path} failed: test failed`;
      }
    } else if (operation.op === 'add' || (operation.op === 'replace' && last in container)) {
      container[last] = operation.value;
    } else {
      return `unsupported or inapplicable operation ${operation.op} at ${operation.path}`;
    }
  }
  return copy;
}

function creationProblem(object: KubeObject, namespace: string): string | undefined {
  if (object.metadata?.resourceVersion !== undefined)
    return 'resourceVersion should not be set on objects to be created';
  const own = object.metadata?.namespace;
  if (own !== undefined && own !== namespace) {
    return 'the namespace of the provided object does not match the namespace sent on the request';
  }
  return undefined;
}

function status(code: number, reason: string, message: string, details?: Record<string, string>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function notFound(kind: string, name: string, group?: string) {
  const resource = group ? `${kind}.${group}` : kind;
  return status(404, 'NotFound', `${resource} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind,
  });
}

function forbiddenStatus(method: string, path: string) {
  const segments = path.split('/');
  const namespace = segments[segments.indexOf('namespaces') + 1] ?? '';
  const verb = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch' }[method] ?? method.toLowerCase();
  return status(
    403,
    'Forbidden',
    `secrets is forbidden: User "system:serviceaccount:${namespace}:signet-webhook" cannot ${verb} resource "secrets" in API group "" in the namespace "${namespace}"`,
    { kind: 'secrets' },
  );
}

function alreadyExists(kind: string, name: string) {
  return status(409, 'AlreadyExists', `${kind} "${name}" already exists`, { name, kind });
}

function conflict(kind: string, name: string) {
  const message = `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
  return status(409, 'Conflict', message, { name, kind });
}

function unsupportedMediaType(req: IncomingMessage) {
  return status(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${req.headers['content-type']})`,
  );
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

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
