import type { ServerResponse } from 'node:http';
import { createRegistryClient, type RegistryClient } from '@signet/registry';
import { type LoopbackServer, startLoopbackServer } from '@signet/registry/test-support';
import { parseImageReference } from '@signet/signing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReviewDeadline } from '../admission/deadline.js';
import { createMetrics } from '../monitoring/metrics.js';
import { metricValue } from '../test-support/metrics.js';
import { RegistryCosignReader } from './registry-cosign-reader.js';

const DIGEST = `sha256:${'4'.repeat(64)}`;
const TAG = `sha256-${'4'.repeat(64)}`;

const servers: LoopbackServer[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function unknown(res: ServerResponse): void {
  res
    .writeHead(404, { 'content-type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
}

/** A registry holding nothing for the image (no referrers API either), or one that answers `status` to all. */
async function registryAnswering(status?: number): Promise<string> {
  const server = await startLoopbackServer((req, res) => {
    if (status !== undefined) return void res.writeHead(status).end('down\n');
    if (req.url?.includes('/referrers/')) return void res.writeHead(404).end('404 page not found\n');
    unknown(res);
  });
  servers.push(server);
  return `127.0.0.1:${server.port}`;
}

function readerFor(host: string) {
  const metrics = createMetrics();
  const registry = createRegistryClient({ insecureRegistries: [host] });
  return { metrics, reader: new RegistryCosignReader({ registry, metrics }) };
}

describe('RegistryCosignReader', () => {
  it("maps the registry's answer to policy's CosignArtifacts: nothing signed is found: false, with the tag", async () => {
    const host = await registryAnswering();
    const { reader, metrics } = readerFor(host);
    const image = parseImageReference(`${host}/team/app@${DIGEST}`);
    const artifacts = await reader.cosignArtifacts(image, {});
    expect(artifacts).toEqual({
      repository: `${host}/team/app`,
      signatures: { tag: `${TAG}.sig`, found: false, layers: [] },
      attestations: { tag: `${TAG}.att`, found: false, layers: [] },
      bundles: [],
    });
    await reader.cosignArtifacts(image, {});
    expect(
      metricValue(await metrics.registry.metrics(), 'signet_cosign_reads_total', { result: 'fetched' }),
    ).toBe(1);
    expect(
      metricValue(await metrics.registry.metrics(), 'signet_cosign_reads_total', { result: 'cached' }),
    ).toBe(1);
  });

  it('reads from the repository given (COSIGN_REPOSITORY), not the image’s', async () => {
    const host = await registryAnswering();
    const { reader } = readerFor(host);
    const artifacts = await reader.cosignArtifacts(parseImageReference(`${host}/team/app@${DIGEST}`), {
      repository: `${host}/signatures`,
    });
    expect(artifacts.repository).toBe(`${host}/signatures`);
    expect(servers[0]?.seen.map((r) => r.path)).toContain(`/v2/signatures/manifests/${TAG}.sig`);
  });

  it('a registry failure rejects (never "not signed"), counted by its code', async () => {
    const host = await registryAnswering(500);
    const { reader, metrics } = readerFor(host);
    const failure = await reader.cosignArtifacts(parseImageReference(`${host}/team/app@${DIGEST}`), {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: expect.stringMatching(/^REGISTRY_/), registry: host, status: 500 });
    const code = (failure as { code: string }).code;
    expect(metricValue(await metrics.registry.metrics(), 'signet_cosign_reads_total', { result: code })).toBe(
      1,
    );
  });

  it('within a deadline: a read still waiting after the review was answered gives up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const signals: AbortSignal[] = [];
    const registry: Pick<RegistryClient, 'readCosignArtifacts'> = {
      readCosignArtifacts: (_image, options) =>
        new Promise((_resolve, reject) => {
          const signal = options?.signal as AbortSignal;
          signals.push(signal);
          signal.addEventListener('abort', () => reject(new Error('gave up')));
        }),
    };
    const reader = new RegistryCosignReader({ registry });
    let now = 0;
    const deadline = new ReviewDeadline(2_000, () => now);
    const read = reader.within(deadline)(parseImageReference(`registry.example/app@${DIGEST}`), {});
    const outcome = read.then(
      () => 'read',
      (error: Error) => error.message,
    );
    now = 2_000;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(signals[0]?.aborted).toBe(false); // the deadline's own answer goes first
    await vi.advanceTimersByTimeAsync(1_000);
    expect(signals[0]?.aborted).toBe(true);
    expect(await outcome).toBe('gave up');
  });

  it('without a deadline (the audit), no signal: the registry client’s own timeout bounds the read', async () => {
    const calls: unknown[] = [];
    const registry: Pick<RegistryClient, 'readCosignArtifacts'> = {
      readCosignArtifacts: async (image, options) => {
        calls.push({ image, options });
        return {
          repository: 'registry.example/app',
          signatures: { found: false, layers: [] },
          attestations: { found: false, layers: [] },
          bundles: [],
          referrers: { via: 'api' },
          skipped: [],
          cached: false,
        };
      },
    };
    const reader = new RegistryCosignReader({ registry });
    const image = parseImageReference(`registry.example/app@${DIGEST}`);
    await reader.cosignArtifacts(image, {});
    await reader.within(new ReviewDeadline())(image, {});
    expect(calls).toEqual([
      { image: `registry.example/app@${DIGEST}`, options: {} },
      { image: `registry.example/app@${DIGEST}`, options: {} },
    ]);
  });
});
