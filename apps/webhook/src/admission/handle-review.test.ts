import { Writable } from 'node:stream';
import { podReview } from '@signet/guide-world';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../monitoring/metrics.js';
import { metricValue } from '../test-support/metrics.js';
import { DEFAULT_DEADLINE_SETTINGS } from './deadline.js';
import type { ReviewDecision } from './decision.js';
import { createReviewHandler } from './handle-review.js';
import { parseAdmissionReview } from './review.js';

function logSink(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}

function decision(allowed: boolean, reason: ReviewDecision['reason']): ReviewDecision {
  return {
    allowed,
    reason,
    message: allowed ? 'admitted' : 'denied: no attestation',
    images: ['registry.example/app@sha256:aa'],
    warnings: [],
    auditAnnotations: {},
  };
}

const CASES: [string, ReviewDecision, 'info' | 'debug'][] = [
  ['a denial', decision(false, 'policy'), 'info'],
  ['a breakglass admission', decision(true, 'breakglass'), 'info'],
  ['an admission despite a failed backend', decision(true, 'backend-error'), 'info'],
  ['a denial at the deadline', decision(false, 'deadline'), 'info'],
  ['a routine admission by policy', decision(true, 'policy'), 'debug'],
  ['a review with nothing to decide', decision(true, 'not-reviewed'), 'debug'],
];

async function decideOnce(level: string, answer: ReviewDecision) {
  const sink = logSink(level);
  const handle = createReviewHandler({
    decider: async () => answer,
    deadline: DEFAULT_DEADLINE_SETTINGS,
    failOpen: false,
    logger: sink.logger,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  const parsed = parseAdmissionReview(podReview({ name: 'web', images: ['registry.example/app'] }));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  await handle(parsed.review, '10s');
  return sink.lines.filter((line) => line.msg === 'admission decision');
}

describe('the decision log', () => {
  for (const [what, answer, level] of CASES) {
    it(`logs ${what} at ${level}`, async () => {
      const atInfo = await decideOnce('info', answer);
      expect(atInfo).toHaveLength(level === 'info' ? 1 : 0);
      const atDebug = await decideOnce('debug', answer);
      expect(atDebug).toMatchObject([
        {
          level: level === 'info' ? 30 : 20,
          decision: answer.allowed ? 'allow' : 'deny',
          reason: answer.reason,
          images: answer.images,
          object: 'Pod/web',
        },
      ]);
    });
  }
});

describe('the /mutate hook', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers a resolution that never finishes at the deadline: a denial blaming the registries, fail-open or not', async () => {
    vi.useFakeTimers();
    const sink = logSink('info');
    const metrics = createMetrics({ defaultMetrics: false });
    const handle = createReviewHandler({
      decider: () => new Promise<ReviewDecision>(() => {}),
      deadline: DEFAULT_DEADLINE_SETTINGS,
      failOpen: true,
      logger: sink.logger,
      metrics,
      hook: 'mutate',
    });
    const parsed = parseAdmissionReview(podReview({ name: 'web', images: ['registry.example/app:v1'] }));
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const answer = handle(parsed.review, '2s');
    await vi.advanceTimersByTimeAsync(1_500);
    const { response } = await answer;
    expect(response).toMatchObject({ allowed: false, status: { code: 503 } });
    expect(response.status?.message).toContain('resolving image tags took too long');
    expect(response.patch).toBeUndefined();
    const text = await metrics.registry.metrics();
    expect(
      metricValue(text, 'signet_mutation_decisions_total', { decision: 'deny', reason: 'deadline' }),
    ).toBe(1);
    expect(metricValue(text, 'signet_admission_decisions_total')).toBe(0);
    expect(sink.lines.filter((line) => line.msg === 'mutation decision')).toMatchObject([
      { decision: 'deny', reason: 'deadline' },
    ]);
  });
});

describe('the deadline timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function handlerWith(decider: Parameters<typeof createReviewHandler>[0]['decider']) {
    const sink = logSink('info');
    const handle = createReviewHandler({
      decider,
      deadline: DEFAULT_DEADLINE_SETTINGS,
      failOpen: true,
      logger: sink.logger,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    const parsed = parseAdmissionReview(podReview({ name: 'web', images: ['registry.example/app'] }));
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return { sink, answer: () => handle(parsed.review, '10s') };
  }

  it('is not armed for a decision the decider returns at once (a remembered admission)', async () => {
    vi.useFakeTimers();
    let timersWhileDeciding = -1;
    const { answer } = handlerWith(() => {
      timersWhileDeciding = vi.getTimerCount();
      return decision(true, 'policy');
    });
    const { response } = await answer();
    expect(response).toMatchObject({ allowed: true });
    expect(timersWhileDeciding).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is armed while a decision is pending, and cleared once it is answered', async () => {
    vi.useFakeTimers();
    let timersWhileDeciding = -1;
    let finish: (value: ReviewDecision) => void = () => {};
    const { answer } = handlerWith(
      () =>
        new Promise<ReviewDecision>((resolve) => {
          finish = resolve;
        }),
    );
    const answered = answer();
    timersWhileDeciding = vi.getTimerCount();
    finish(decision(false, 'policy'));
    const { response } = await answered;
    expect(response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(timersWhileDeciding).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('denies, never admits, when the decider throws before it returns, even under fail-open', async () => {
    const { answer, sink } = handlerWith(() => {
      throw new Error('boom');
    });
    const { response } = await answer();
    expect(response).toMatchObject({ allowed: false, status: { code: 500 } });
    expect(response.status?.message).toContain('boom');
    expect(sink.lines.filter((line) => line.msg === 'internal error while deciding a review')).toHaveLength(
      1,
    );
  });
});
