import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeLayout,
  makePki,
  push,
  type RunningRegistry,
  skopeoDigests,
  startRegistry,
  type TestPki,
  tool,
} from '@signet/registry/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

// Runs under `pnpm test:interop` only: `signet resolve` against Debian's docker-registry over TLS with
// Basic auth, images from umoci and skopeo. A missing tool fails.

let sandbox: Sandbox;
let pki: TestPki;
let registry: RunningRegistry;
let config: string;
const creds = { creds: 'release:pw' } as const;

beforeAll(async () => {
  sandbox = createSandbox();
  pki = await makePki(sandbox.dir);
  const htpasswdFile = sandbox.write('htpasswd', await tool('htpasswd', ['-Bbn', 'release', 'pw']));
  registry = await startRegistry(join(sandbox.dir, 'registry'), {
    kind: 'basic',
    tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caPem: pki.caPem },
    htpasswdFile,
  });
  const layout = await makeLayout(sandbox.dir);
  await push(layout, 'single', `${registry.host}/app:v1`, { ...creds, certDir: pki.certDir });
  await push(layout, 'multi', `${registry.host}/app:multi`, { ...creds, certDir: pki.certDir, all: true });
  config = join(sandbox.dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('release:pw').toString('base64') } } }),
  );
});
afterAll(async () => {
  await registry?.stop();
  sandbox.cleanup();
});

describe('signet resolve against docker-registry', () => {
  it('prints the digests skopeo reads, the index digest for a multi-arch image', async () => {
    const images = [`${registry.host}/app:v1`, `${registry.host}/app:multi`];
    const run = await runSignet(
      ['resolve', ...images, '--registry-ca', pki.caFile, '--registry-config', config],
      sandbox.env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = await Promise.all(
      images.map((i) => skopeoDigests(i, { ...creds, certDir: pki.certDir })),
    );
    expect(run.stdout).toBe(images.map((image, i) => `${image}@${expected[i]?.raw}\n`).join(''));
  });

  it('without --registry-ca: exit 3, the TLS trust error naming the flag', async () => {
    const run = await runSignet(
      ['resolve', `${registry.host}/app:v1`, '--registry-config', config],
      sandbox.env,
    );
    expect(run.code).toBe(3);
    expectCleanError(run);
    expect(run.stderr).toContain('is not trusted');
    expect(run.stderr).toContain('--registry-ca');
  });
});
