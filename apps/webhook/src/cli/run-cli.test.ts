import { GUIDE } from '@signet/guide-world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';
import { httpsRequest } from '../test-support/https-client.js';
import { capturedRequest, rewriteImages } from '../test-support/reviews.js';
import { APP_DIR, listeningUrl, spawnWebhook } from '../test-support/spawn-webhook.js';

/** HOME is the package: no user's embedded store or policy folder gets in the way. */
const ENV = { HOME: APP_DIR };

describe('the signet-webhook process', () => {
  let world: E2eWorld;

  beforeAll(async () => {
    world = await createE2eWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  const common = () => [
    '--policies',
    world.guide.policyDir,
    '--store',
    world.guide.storeUrl,
    '--project',
    GUIDE.project,
  ];

  it('serves HTTPS on a free port it prints, decides, logs one JSON line per decision, and exits 0 on SIGTERM', async () => {
    const spawned = spawnWebhook(
      [
        ...common(),
        '--tls-cert',
        world.cert.certFile,
        '--tls-key',
        world.cert.keyFile,
        '--port',
        '0',
        '--shutdown-delay',
        '0s',
      ],
      ENV,
    );
    try {
      const url = await listeningUrl(spawned);
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const review = rewriteImages(capturedRequest('1.32', '02-Pod-CREATE.json').review, () =>
        pinned('bad/img'),
      );
      const answer = await httpsRequest(`${url}/validate?timeout=5s`, {
        method: 'POST',
        body: JSON.stringify(review),
        ca: world.cert.certPem,
      });
      expect((answer.json as { response: { allowed: boolean } }).response.allowed).toBe(false);
      spawned.child.kill('SIGTERM');
      expect(await spawned.exited).toBe(0);
      const decisions = spawned
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === 'admission decision');
      expect(decisions).toHaveLength(1);
      expect(decisions[0]).toMatchObject({
        uid: '2bf29202-39b6-4615-8a9a-9904e6a6d480',
        namespace: 'default',
        object: 'Pod/bad',
        images: [pinned('bad/img')],
        decision: 'deny',
      });
    } finally {
      spawned.child.kill('SIGKILL');
    }
  });

  it('says loudly that --insecure-http is for local experiments only, and warns of each --insecure-registry', async () => {
    const spawned = spawnWebhook(
      [
        ...common(),
        '--insecure-http',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--insecure-registry',
        'registry.lab:5000',
      ],
      ENV,
    );
    try {
      const url = await listeningUrl(spawned);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(spawned.stderr()).toContain('WARNING: --insecure-http');
      expect(spawned.stderr()).toContain('local experiments only');
      expect(spawned.stderr()).toContain('WARNING: --insecure-registry registry.lab:5000');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      spawned.child.kill('SIGTERM');
      expect(await spawned.exited).toBe(0);
    } finally {
      spawned.child.kill('SIGKILL');
    }
  });

  it('exits 2 with a message on a usage error, and 1 when TLS files are missing', async () => {
    const usage = spawnWebhook(['--policies', world.guide.policyDir], ENV);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toMatch(/give --tls-cert and --tls-key/);
    const missing = spawnWebhook(
      [...common(), '--tls-cert', '/nonexistent.crt', '--tls-key', '/nonexistent.key'],
      ENV,
    );
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toMatch(/cannot read the serving certificate or key/);
    expect(missing.stderr()).toMatch(/fix: check --tls-cert and --tls-key/);
    const config = spawnWebhook(
      [...common(), '--insecure-http', '--port', '0', '--registry-config', '/nonexistent/config.json'],
      ENV,
    );
    expect(await config.exited).toBe(1);
    expect(config.stderr()).toMatch(/--registry-config \/nonexistent\/config.json cannot be read/);
  });
});
