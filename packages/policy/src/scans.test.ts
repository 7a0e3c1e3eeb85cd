import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { ScanRecord } from './metadata.js';
import type { ImageSecurityPolicy, NamespacePolicies } from './resource-types.js';
import { finding, MemoryMetadata } from './test-support/memory-metadata.js';
import { DIGEST_A, isp, podRequest } from './test-support/resources.js';

const IMAGE = `gcr.io/team/app@${DIGEST_A}`;
const URL = `https://${IMAGE}`;

function policies(...isps: ImageSecurityPolicy[]): NamespacePolicies {
  return { authorities: [], genericAttestationPolicies: [], imageSecurityPolicies: isps, invalid: [] };
}

const blockAll = (requireScan?: boolean) =>
  isp('block-all', {
    packageVulnerabilityRequirements: { maximumSeverity: 'BLOCK_ALL' },
    ...(requireScan === undefined ? {} : { requireScan }),
  });

async function judge(policy: ImageSecurityPolicy, scans?: ScanRecord[], vulnerable = false) {
  const metadata = new MemoryMetadata();
  if (scans) metadata.setScans('team', URL, scans);
  if (vulnerable) metadata.setVulnerabilities('team', URL, [finding('CVE-2024-1', 'LOW', true)]);
  return decide({ request: podRequest([IMAGE]), policies: policies(policy), metadata });
}

describe('ImageSecurityPolicy spec.requireScan', () => {
  it('without it, an image never scanned passes even BLOCK_ALL (as in Kritis)', async () => {
    expect((await judge(blockAll())).allowed).toBe(true);
    expect(blockAll().requireScan).toBe(false);
  });

  it.each([
    [
      'no DISCOVERY occurrence',
      [],
      'has no vulnerability scan (no finished DISCOVERY occurrence in project team)',
      'push it to a registry that scans images',
    ],
    [
      'a pending scan',
      [{ status: 'PENDING' }],
      'has not finished (PENDING)',
      'retry once the scan has finished',
    ],
    ['a running scan', [{ status: 'SCANNING' }], 'has not finished (SCANNING)', '--wait 10m'],
    [
      'a failed scan',
      [{ status: 'FINISHED_FAILED', error: 'layer too large' }],
      'ended with FINISHED_FAILED (layer too large)',
      'check that the registry can scan this image',
    ],
    [
      'an unsupported image',
      [{ status: 'FINISHED_UNSUPPORTED' }],
      'ended with FINISHED_UNSUPPORTED',
      'then push or rescan it',
    ],
  ] as [string, ScanRecord[], string, string][])(
    'denies an image with %s, saying why and what to do',
    async (_name, scans, reason, fix) => {
      const decision = await judge(blockAll(true), scans);
      expect(decision.allowed).toBe(false);
      expect(decision.violations).toEqual([
        {
          image: IMAGE,
          policy: 'ImageSecurityPolicy default/block-all',
          code: 'NOT_SCANNED',
          reason: expect.stringContaining(reason),
          fix: expect.stringContaining(fix),
        },
      ]);
    },
  );

  it('admits a finished scan without findings, and still judges the findings of a finished scan', async () => {
    for (const status of ['FINISHED_SUCCESS', 'COMPLETE'] as const) {
      expect((await judge(blockAll(true), [{ status: 'SCANNING' }, { status }])).allowed).toBe(true);
    }
    const vulnerable = await judge(blockAll(true), [{ status: 'FINISHED_SUCCESS' }], true);
    expect(vulnerable.violations.map((v) => v.code)).toEqual(['VULNERABILITIES']);
  });

  it('fails closed when the metadata source cannot report scans, or fails', async () => {
    const { scans: _ignored, ...withoutScans } = new MemoryMetadata();
    const source = { ...withoutScans, attestations: async () => [], vulnerabilities: async () => [] };
    const decision = await decide({
      request: podRequest([IMAGE]),
      policies: policies(blockAll(true)),
      metadata: source,
    });
    expect(decision.violations[0]).toMatchObject({
      code: 'BACKEND_FAILED',
      reason: expect.stringContaining('does not report scan status'),
    });
    const failing = new MemoryMetadata();
    failing.vulnerabilityFailure = new Error('unavailable');
    const failed = await decide({
      request: podRequest([IMAGE]),
      policies: policies(blockAll(true)),
      metadata: failing,
    });
    expect(failed.violations[0]).toMatchObject({ code: 'BACKEND_FAILED' });
  });

  it('under DryRun, reports an unscanned image as a warning and admits it', async () => {
    const dryRun = isp('dry', { requireScan: true, enforcementMode: 'DryRun' });
    const decision = await judge(dryRun, []);
    expect(decision.allowed).toBe(true);
    expect(decision.dryRunViolations.map((v) => v.code)).toEqual(['NOT_SCANNED']);
  });

  it('is refused by the schema when it is not a boolean', () => {
    expect(() => isp('typo', { requireScan: 'yes' })).toThrow(/requireScan/);
  });
});
