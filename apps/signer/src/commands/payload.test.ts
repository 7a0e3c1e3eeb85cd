import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox, testDigest } from '../test-support/sandbox.js';

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(() => sandbox.cleanup());

describe('signet payload', () => {
  it('prints the exact simple-signing bytes, without a trailing newline', async () => {
    const run = await runSignet(['payload', '--image', `gcr.io/my-proj/app:1.0@${testDigest}`], sandbox.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `{"critical":{"identity":{"docker-reference":"gcr.io/my-proj/app"},"image":{"docker-manifest-digest":"${testDigest}"},"type":"atomic container signature"},"optional":{}}`,
    );
  });

  it('--payload-form gcloud prints what `gcloud container binauthz create-signature-payload` prints', async () => {
    const run = await runSignet(
      ['payload', '--payload-form', 'gcloud', '--image', `gcr.io/my-proj/app:1.0@${testDigest}`],
      sandbox.env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `{\n  "critical": {\n    "identity": {\n      "docker-reference": "gcr.io/my-proj/app"\n    },\n    "image": {\n      "docker-manifest-digest": "${testDigest}"\n    },\n    "type": "Google cloud binauthz container signature"\n  }\n}\n`,
    );
    const unknown = await runSignet(
      ['payload', '--payload-form', 'cosign', '--image', `gcr.io/p/app@${testDigest}`],
      sandbox.env,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('signet, gcloud');
  });

  it('normalises Docker Hub names the way docker pull reads them', async () => {
    const run = await runSignet(['payload', '--image', `busybox@${testDigest}`], sandbox.env);
    expect(JSON.parse(run.stdout).critical.identity['docker-reference']).toBe('docker.io/library/busybox');
  });

  it('gives the payload and the resource URL as JSON with --output json', async () => {
    const run = await runSignet(
      ['--output', 'json', 'payload', '--image', `gcr.io/p/app@${testDigest}`],
      sandbox.env,
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.resourceUrl).toBe(`https://gcr.io/p/app@${testDigest}`);
    expect(JSON.parse(out.payload).critical.image['docker-manifest-digest']).toBe(testDigest);
  });

  it('refuses an invalid reference with exit 2', async () => {
    const run = await runSignet(['payload', '--image', 'GCR.io/P/App@sha256:xyz'], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid image reference');
    expectCleanError(run);
  });

  it('reports a usage error as JSON on stdout with --output json', async () => {
    const run = await runSignet(
      ['--output', 'json', 'payload', '--image', 'GCR.io/P/App@sha256:xyz'],
      sandbox.env,
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'REFERENCE_INVALID', exitCode: 2 } });
  });
});
