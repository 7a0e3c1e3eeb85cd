import type { ServerResponse } from 'node:http';
import { fakeManifest, type LoopbackServer, startLoopbackServer } from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// `signet resolve` against a loopback stand-in registry with Basic auth (the real docker-registry runs in
// resolve.interop.test.ts).

const BASIC = `Basic ${Buffer.from('ci:pass').toString('base64')}`;
const manifest = fakeManifest();
let sandbox: Sandbox;
let registry: LoopbackServer;
let host: string;
let config: string;

function answer(res: ServerResponse, method: string | undefined, tag: string) {
  if (tag !== 'v1') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      method === 'HEAD' ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
    );
    return;
  }
  res.writeHead(200, { 'content-type': manifest.mediaType, 'docker-content-digest': manifest.digest });
  res.end(method === 'HEAD' ? undefined : manifest.body);
}

beforeAll(async () => {
  sandbox = createSandbox();
  registry = await startLoopbackServer((req, res) => {
    if (req.headers.authorization !== BASIC) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    answer(res, req.method, (req.url ?? '').split('/').pop() ?? '');
  });
  host = `127.0.0.1:${registry.port}`;
  config = sandbox.write(
    'config.json',
    JSON.stringify({ auths: { [host]: { username: 'ci', password: 'pass' } } }),
  );
});
afterAll(async () => {
  await registry?.stop();
  sandbox.cleanup();
});

describe('signet resolve', () => {
  it('prints each image pinned by digest, with a warning for a plain-HTTP registry', async () => {
    const pinned = `gcr.io/p/app@sha256:${'e'.repeat(64)}`;
    const run = await runSignet(
      ['resolve', `${host}/app:v1`, pinned, '--registry-config', config, '--insecure-registry', host],
      sandbox.env,
    );
    expect(run.stderr).toContain(`warning: registry ${host} is spoken to over plain HTTP`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${host}/app:v1@${manifest.digest}\n${pinned}\n`);
  });

  it('reads SIGNET_REGISTRY_CONFIG, and answers JSON with --output json', async () => {
    const run = await runSignet(
      ['--output', 'json', 'resolve', `${host}/app:v1`, '--insecure-registry', host],
      {
        ...sandbox.env,
        SIGNET_REGISTRY_CONFIG: config,
      },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        image: `${host}/app:v1`,
        pinned: `${host}/app:v1@${manifest.digest}`,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
      },
    ]);
  });

  it('an unknown tag: exit 2, naming the registry and the status', async () => {
    const run = await runSignet(
      ['resolve', `${host}/app:v9`, '--registry-config', config, '--insecure-registry', host],
      sandbox.env,
    );
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain(`registry ${host} has no tag ${host}/app:v9 (HTTP 404, MANIFEST_UNKNOWN)`);
  });

  it('no credentials for a registry that wants them: exit 3, saying which are needed', async () => {
    const run = await runSignet(['resolve', `${host}/app:v1`, '--insecure-registry', host], sandbox.env);
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toContain(`registry ${host} answered 401 to an anonymous request`);
  });

  it('a malformed --registry-config: exit 2, naming the file', async () => {
    const bad = sandbox.write('bad.json', '{"auths": {"x": {}}}');
    const run = await runSignet(['resolve', `${host}/app:v1`, '--registry-config', bad], sandbox.env);
    expect(run.code).toBe(2);
    expectCleanError(run);
    expect(run.stderr).toContain(bad);
  });

  it('no image: a usage error', async () => {
    const run = await runSignet(['resolve'], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'images'");
  });
});
