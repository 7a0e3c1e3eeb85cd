import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisStatus } from '@signet/grafeas-client';
import { GUIDE, podReview } from '@signet/guide-world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebhook } from '../start-webhook.js';
import { createE2eWorld, type E2eWorld, pinned } from '../test-support/e2e-world.js';

interface Answer {
  response: { allowed: boolean; status?: { code: number; message: string } };
}

const NAMESPACE = 'scanned-only';
const POLICY = `apiVersion: kritis.grafeas.io/v1beta1
kind: ImageSecurityPolicy
metadata:
  name: block-all-scanned
spec:
  requireScan: true
  packageVulnerabilityRequirements:
    maximumSeverity: BLOCK_ALL
`;

/**
 * `spec.requireScan` end to end: the policy from a file, DISCOVERY occurrences in the embedded store
 * (as Container Analysis writes them), reviews over HTTPS.
 */
describe('ImageSecurityPolicy spec.requireScan through the webhook', () => {
  let world: E2eWorld;
  let webhook: RunningWebhook;

  const scanned = async (name: string, status: AnalysisStatus | undefined) => {
    const image = pinned(name);
    if (status) {
      await world.guide.store.createOccurrence(GUIDE.project, {
        kind: 'DISCOVERY',
        resourceUri: `https://${image}`,
        noteName: `projects/${GUIDE.project}/notes/PACKAGE_VULNERABILITY`,
        analysisStatus: status,
      });
    }
    return image;
  };

  beforeAll(async () => {
    world = await createE2eWorld();
    await mkdir(join(world.guide.policyDir, NAMESPACE));
    await writeFile(join(world.guide.policyDir, NAMESPACE, 'isp.yaml'), POLICY);
    webhook = await world.startWebhook();
  });
  afterAll(async () => {
    await world?.close();
  });

  const ask = async (image: string) => {
    const result = await world.post(webhook, podReview({ name: 'p', namespace: NAMESPACE, images: [image] }));
    return (result.json as Answer).response;
  };

  it('denies an image never scanned, and one whose scan is running, saying how to fix it', async () => {
    const never = await ask(await scanned('never-scanned', undefined));
    expect(never.allowed).toBe(false);
    expect(never.status?.message).toContain('has no vulnerability scan');
    expect(never.status?.message).toContain('fix: push it to a registry that scans images');
    const running = await ask(await scanned('scan-running', 'SCANNING'));
    expect(running.allowed).toBe(false);
    expect(running.status?.message).toContain('has not finished (SCANNING)');
  });

  it('admits an image whose scan finished without findings', async () => {
    expect((await ask(await scanned('scan-finished', 'FINISHED_SUCCESS'))).allowed).toBe(true);
  });
});
