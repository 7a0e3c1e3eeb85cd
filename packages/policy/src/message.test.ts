import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { MAX_ANNOTATION_CHARS, MAX_IMAGES_IN_MESSAGE, MAX_MESSAGE_CHARS } from './message.js';
import type { NamespacePolicies } from './resource-types.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { DIGEST_A, isp, podRequest } from './test-support/resources.js';

// No image here gets as far as a metadata lookup: each is refused for how it is named.
const policies: NamespacePolicies = {
  authorities: [],
  genericAttestationPolicies: [],
  imageSecurityPolicies: [isp('scan', {})],
  invalid: [],
};

const denyImages = (images: string[]) =>
  decide({ request: podRequest(images), policies, metadata: new MemoryMetadata() });

describe('denial messages', () => {
  it('say what a sha512 digest is, not that the image has a tag', async () => {
    const image = `gcr.io/team/app@sha512:${'c'.repeat(128)}`;
    const decision = await denyImages([image]);
    expect(decision.violations).toEqual([
      expect.objectContaining({
        code: 'NOT_PINNED',
        reason: expect.stringContaining('pinned by a sha512 digest'),
        fix: expect.stringContaining('pin it by its sha256 digest: gcr.io/team/app@sha256:<digest>'),
      }),
    ]);
    expect(decision.message).not.toContain('by tag');
  });

  it('are bounded: a summary, the first images, and the count of the rest', async () => {
    const images = Array.from({ length: 500 }, (_, i) => `gcr.io/team/app-${i}:1`);
    const decision = await denyImages(images);
    expect(decision.allowed).toBe(false);
    expect(decision.violations).toHaveLength(500);
    expect(decision.message.length).toBeLessThan(MAX_MESSAGE_CHARS);
    expect(decision.message.split('\n')[0]).toBe('Signet denied Pod default/web: 500 images failed policy.');
    expect(decision.message).toContain(`image gcr.io/team/app-${MAX_IMAGES_IN_MESSAGE - 1}:1:`);
    expect(decision.message).not.toContain(`image gcr.io/team/app-${MAX_IMAGES_IN_MESSAGE}:1:`);
    expect(decision.message).toContain(`… and ${500 - MAX_IMAGES_IN_MESSAGE} more images failed policy`);
  });

  it('clip a single overlong line', async () => {
    const image = `gcr.io/team/${'a'.repeat(3000)}:1`;
    const decision = await denyImages([image]);
    expect(decision.allowed).toBe(false);
    expect(decision.message.split('\n').every((line) => line.length <= 1_000)).toBe(true);
  });
});

describe('audit annotations', () => {
  const listed = (value: string | undefined) =>
    JSON.parse(value ?? '[]') as { image: string; policy: string; reason: string }[];

  it('are bounded like the message: a summary and the violations of the first images', async () => {
    // 400 tag-only images made a 152 KB annotation, which the API server keeps in its audit log.
    const images = Array.from({ length: 400 }, (_, i) => `gcr.io/team/app-${i}:1`);
    const decision = await denyImages(images);
    const { violations, 'violations-summary': summary } = decision.auditAnnotations;
    expect(violations?.length).toBeLessThanOrEqual(MAX_ANNOTATION_CHARS);
    expect(listed(violations).map((v) => v.image)).toEqual(images.slice(0, MAX_IMAGES_IN_MESSAGE));
    expect(summary).toBe(
      `400 images failed policy (400 violations); the violations of the first ${MAX_IMAGES_IN_MESSAGE} images are listed, every image is in the webhook's log`,
    );
    const total = Object.values(decision.auditAnnotations).reduce((sum, v) => sum + v.length, 0);
    expect(total).toBeLessThan(2 * MAX_ANNOTATION_CHARS);
  });

  it('stay bounded when many policies fail with long reasons', async () => {
    const many: NamespacePolicies = {
      ...policies,
      invalid: Array.from({ length: 300 }, (_, i) => ({
        kind: 'GenericAttestationPolicy',
        name: `policy-${i}`,
        namespace: 'default',
        issues: [{ field: 'spec', message: 'r'.repeat(3000), fix: 'correct it' }],
      })),
    };
    const decision = await decide({
      request: podRequest([`gcr.io/team/app@${DIGEST_A}`]),
      policies: many,
      metadata: new MemoryMetadata(),
    });
    expect(decision.violations.length).toBeGreaterThanOrEqual(300);
    const { violations, 'violations-summary': summary } = decision.auditAnnotations;
    expect(violations?.length).toBeLessThanOrEqual(MAX_ANNOTATION_CHARS);
    expect(listed(violations).length).toBeGreaterThan(0);
    expect(listed(violations).every((v) => v.reason.length <= 1_000)).toBe(true);
    expect(summary).toMatch(/^\d+ violations?(.*)?; \d+ violations are not listed here/);
  });

  it('list a short denial in full, with a summary', async () => {
    const decision = await denyImages(['gcr.io/team/app:1']);
    expect(listed(decision.auditAnnotations.violations)).toEqual([
      expect.objectContaining({ image: 'gcr.io/team/app:1', policy: 'ImageSecurityPolicy default/scan' }),
    ]);
    expect(decision.auditAnnotations['violations-summary']).toBe('1 image failed policy (1 violation)');
  });
});
