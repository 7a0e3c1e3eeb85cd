import { podReview } from '@signet/guide-world';
import { type ReviewRequest, readReviewRequest } from '@signet/policy';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReviewDecision } from './decision.js';
import { DecisionMemo } from './decision-memo.js';
import { parseAdmissionReview } from './review.js';

const IMAGE = `registry.example/app@sha256:${'a'.repeat(64)}`;

/** The request as the decider reads it: parsed, then read once by the policy. */
function parsed(body: unknown): ReviewRequest {
  const result = parseAdmissionReview(body);
  if (!result.ok) throw new Error(result.problems.join('; '));
  const reading = readReviewRequest(result.review.request);
  if (!reading.ok) throw new Error(reading.problem);
  return reading.request;
}

const plainAllow: ReviewDecision = {
  allowed: true,
  reason: 'policy',
  message: '',
  images: [IMAGE],
  warnings: [],
  auditAnnotations: {},
};

describe('DecisionMemo', () => {
  it('keys on everything the decision depends on', () => {
    const memo = new DecisionMemo({ ttlMs: 60_000, maxEntries: 10 });
    const key = (body: unknown, generation = 1) => memo.keyOf(parsed(body), generation);
    const base = key(podReview({ name: 'a', images: [IMAGE] }));
    expect(base).toBeDefined();
    // Another pod name, same images and namespace: the same decision.
    expect(key(podReview({ name: 'b', images: [IMAGE] }))).toBe(base);
    for (const other of [
      key(podReview({ name: 'a', images: [IMAGE] }), 2),
      key(podReview({ name: 'a', namespace: 'other', images: [IMAGE] })),
      key(podReview({ name: 'a', images: [IMAGE], annotations: { 'kritis.grafeas.io/breakglass': 'true' } })),
      key(podReview({ name: 'a', images: [IMAGE, `${IMAGE.slice(0, -1)}b`] })),
    ]) {
      expect(other).not.toBe(base);
    }
  });

  it('remembers plain admissions only', () => {
    const memo = new DecisionMemo({ ttlMs: 60_000, maxEntries: 10 });
    const review = parsed(podReview({ name: 'a', images: [IMAGE] }));
    const key = memo.keyOf(review, 1);
    memo.remember(key, { ...plainAllow, allowed: false, reason: 'policy', message: 'denied' });
    expect(memo.get(key)).toBeUndefined();
    memo.remember(key, { ...plainAllow, warnings: ['dry-run violation'] });
    expect(memo.get(key)).toBeUndefined();
    memo.remember(key, { ...plainAllow, reason: 'breakglass' });
    expect(memo.get(key)).toBeUndefined();
    memo.remember(key, plainAllow);
    expect(memo.get(key)).toBe(plainAllow);
  });

  it('remembers nothing with a TTL of 0, nor reviews without images to judge', () => {
    const off = new DecisionMemo({ ttlMs: 0, maxEntries: 10 });
    expect(off.keyOf(parsed(podReview({ name: 'a', images: [IMAGE] })), 1)).toBeUndefined();
    const memo = new DecisionMemo({ ttlMs: 60_000, maxEntries: 10 });
    expect(memo.keyOf(parsed(podReview({ name: 'a', images: [] })), 1)).toBeUndefined();
  });

  describe('its clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('arms no timer on a lookup', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const memo = new DecisionMemo({ ttlMs: 5_000, maxEntries: 10 });
      const key = memo.keyOf(parsed(podReview({ name: 'a', images: [IMAGE] })), 1);
      memo.remember(key, plainAllow);
      for (let i = 0; i < 3; i += 1) expect(memo.get(key)).toBe(plainAllow);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('still forgets an admission once its TTL has passed', async () => {
      const memo = new DecisionMemo({ ttlMs: 20, maxEntries: 10 });
      const key = memo.keyOf(parsed(podReview({ name: 'a', images: [IMAGE] })), 1);
      memo.remember(key, plainAllow);
      await vi.waitFor(() => expect(memo.get(key)).toBeUndefined(), { timeout: 10_000, interval: 5 });
    });
  });
});
