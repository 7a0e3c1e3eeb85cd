import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gcloud, gcloudAgainst } from './gcloud.js';
import { seedOccurrences } from './google/seed.js';
import { type RunningEmulator, startEmulator } from './server.js';
import { recordedCases, recordedFixture } from './test-support/gcloud-528.js';

/**
 * gcloud 528 itself against the emulator (Google flavour, loaded with gcloud-528's fixture). The
 * Artifact Registry and Service Usage calls gcloud makes first go to a loopback stub answering what
 * the recording's stubs answered.
 */
const IMG =
  'us-docker.pkg.dev/demo-proj/repo/app@sha256:9f9973b643ba5081290f7aeb1c3d9eab309c464028339bc484880abdb8635d46';
const FINGERPRINT = '0335BD1F91B3B24633E1BCDECD74AE3085B4ADB0';
const GCLOUD_DEADLINE_MS = 240_000;

/** One loopback server answering the recorded replies of the given APIs by method and path. */
async function startRecordedStub(apis: string[]): Promise<{ url: string; server: Server }> {
  const replies = new Map<string, { status: number; body: unknown }>();
  for (const c of recordedCases()) {
    for (const r of c.requests) if (apis.includes(r.api)) replies.set(`${r.method} ${r.path}`, r.response);
  }
  const server = createServer((req, res) => {
    const reply = replies.get(`${req.method} ${new URL(req.url ?? '/', 'http://stub').pathname}`);
    res.setHeader('Content-Type', 'application/json; charset=UTF-8');
    res.statusCode = reply?.status ?? 404;
    res.end(
      JSON.stringify(
        reply?.body ?? { error: { code: 404, message: `no such resource: ${req.url}`, status: 'NOT_FOUND' } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('gcloud 528 against the emulator', () => {
  let emulator: RunningEmulator;
  let stub: { url: string; server: Server };
  let gcloud: Gcloud;

  beforeAll(async () => {
    emulator = await startEmulator({ flavor: 'google' });
    seedOccurrences(emulator.store, 'v1', recordedFixture());
    stub = await startRecordedStub(['artifactregistry', 'serviceusage']);
    gcloud = await gcloudAgainst({
      project: 'demo-proj',
      endpoints: { containeranalysis: emulator.url, artifactregistry: stub.url, serviceusage: stub.url },
      timeoutMs: GCLOUD_DEADLINE_MS,
    });
  }, GCLOUD_DEADLINE_MS);

  afterAll(async () => {
    await gcloud?.close();
    await new Promise((resolve) => stub?.server.close(resolve));
    await emulator?.close();
  });

  it(
    'container binauthz attestations create, then list finds it (with the fixture`s two for the image)',
    async () => {
      await writeFile(join(gcloud.dir, 'signature.pgp'), 'not checked without --validate');
      const created = await gcloud.ok([
        ...['container', 'binauthz', 'attestations', 'create', `--artifact-url=${IMG}`],
        ...[
          '--note=projects/demo-proj/notes/n1',
          '--signature-file=signature.pgp',
          `--public-key-id=${FINGERPRINT}`,
        ],
      ]);
      expect(created.trim()).toBe('');
      const listed = await gcloud.listAttestations({ artifactUrl: IMG });
      expect(listed.map((o) => o.resourceUri)).toEqual([IMG, IMG, IMG]);
      const ours = listed.filter((o) => o.attestation.signatures[0]?.publicKeyId === FINGERPRINT);
      expect(ours).toHaveLength(1);
      expect(ours[0]!.name).toMatch(/^projects\/demo-proj\/occurrences\/[0-9a-f-]{36}$/);
      const stored = await fetch(`${emulator.url}/v1/${ours[0]!.name}`);
      expect(stored.status).toBe(200);
    },
    GCLOUD_DEADLINE_MS,
  );

  it(
    'artifacts sbom list prints the SBOM reference',
    async () => {
      const out = await gcloud.ok(['artifacts', 'sbom', 'list']);
      expect(out).toContain(`gs://artifactanalysis-us-123456789012/${IMG}/sbom/app.spdx.json`);
      expect(out).toContain(`https://${IMG}`);
    },
    GCLOUD_DEADLINE_MS,
  );

  it(
    'artifacts vulnerabilities list titles the table with the scan time and lists the CVE',
    async () => {
      const out = await gcloud.ok(['artifacts', 'vulnerabilities', 'list', IMG]);
      expect(out).toContain('Latest scan was at 2025-01-01T12:34');
      expect(out).toMatch(/CVE-2023-0286\s+│\s+HIGH\s+│\s+7\.4\s+│\s+True/);
      expect(out).not.toContain('Scan status unknown');
    },
    GCLOUD_DEADLINE_MS,
  );

  it(
    'artifacts docker images describe --show-all-metadata prints every summary',
    async () => {
      const out = await gcloud.ok(['artifacts', 'docker', 'images', 'describe', IMG, '--show-all-metadata']);
      expect(out).toContain('attestation_summary:');
      expect(out).toContain('name: projects/demo-proj/occurrences/00000000-0000-4000-8000-000000000001');
      expect(out).toContain("lastScanTime: '2025-01-01T12:34:56.789012Z'");
      expect(out).toContain(`- gs://artifactanalysis-us-123456789012/${IMG}/sbom/app.spdx.json`);
      expect(out).toMatch(/package_vulnerability_summary:[\s\S]*CVE-2023-0286/);
    },
    GCLOUD_DEADLINE_MS,
  );
});
