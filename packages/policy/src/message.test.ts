import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { MAX_IMAGES_IN_MESSAGE, MAX_MESSAGE_CHARS } from './message.js';
import type { NamespacePolicies } from './resource-types.js';
import { MemoryMetadata } from './test-support/memory-metadata.js';
import { isp, podRequest } from './test-support/resources.js';

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
