import {
  type AttestationOccurrence,
  openMetadataStore,
  type VulnerabilityOccurrence,
} from '@signet/grafeas-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './server.js';

const URL_ = `https://us-docker.pkg.dev/p/repo/app@sha256:${'f'.repeat(64)}`;
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ flavor: 'google' });
});
afterAll(async () => {
  await emulator.close();
});

describe('an occurrence written through one version reads through the other', () => {
  it('v1 -> v1beta1 and grafeas: (vulnerability fix availability survives both ways)', async () => {
    const v1 = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1' });
    const beta = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1beta1' });
    const oss = await openMetadataStore(`grafeas:${emulator.url}`);
    try {
      await v1.batchCreateOccurrences('x1', [
        {
          kind: 'VULNERABILITY',
          resourceUri: URL_,
          noteName: 'projects/goog-vulnz/notes/CVE-2024-9',
          severity: 'LOW',
          effectiveSeverity: 'HIGH',
          fixAvailable: false,
          packages: [{ affectedCpeUri: 'cpe:/a', affectedPackage: 'curl', fixAvailable: false }],
        },
        {
          kind: 'ATTESTATION',
          resourceUri: URL_,
          noteName: 'projects/x1/notes/qa',
          signature: {
            form: 'generic',
            serializedPayload: new Uint8Array([1]),
            signatures: [{ publicKeyId: 'k', signature: new Uint8Array([2]) }],
          },
        },
      ]);
      for (const reader of [beta, oss]) {
        const image = await reader.listImageOccurrences('x1', URL_);
        expect(
          image.vulnerabilities.map((v: VulnerabilityOccurrence) => [
            v.cveId,
            v.fixAvailable,
            v.effectiveSeverity,
          ]),
        ).toEqual([['CVE-2024-9', false, 'HIGH']]);
        const sig = (image.attestations[0] as AttestationOccurrence).signature;
        expect(sig.form).toBe('generic');
      }
    } finally {
      await Promise.all([v1.close(), beta.close(), oss.close()]);
    }
  });

  it('v1beta1 -> v1 (a fixable issue reads as fixAvailable)', async () => {
    const beta = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1beta1' });
    const v1 = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1', pageSize: 7 });
    try {
      await beta.batchCreateOccurrences(
        'x2',
        Array.from({ length: 30 }, (_, i) => ({
          kind: 'VULNERABILITY' as const,
          resourceUri: URL_,
          noteName: `projects/goog-vulnz/notes/CVE-2024-${i}`,
          severity: 'CRITICAL' as const,
          effectiveSeverity: 'CRITICAL' as const,
          fixAvailable: true,
          packages: [
            {
              affectedCpeUri: 'cpe:/a',
              affectedPackage: 'zlib',
              fixedVersion: { kind: 'NORMAL' as const, name: '1.3' },
              fixAvailable: true,
            },
          ],
        })),
      );
      const image = await v1.listImageOccurrences('x2', URL_);
      expect(image.vulnerabilities).toHaveLength(30);
      expect(
        image.vulnerabilities.every((v) => v.fixAvailable && v.packages[0]?.fixedVersion?.name === '1.3'),
      ).toBe(true);
      expect(new Set(image.vulnerabilities.map((v) => v.cveId)).size).toBe(30);
    } finally {
      await Promise.all([beta.close(), v1.close()]);
    }
  });
});
