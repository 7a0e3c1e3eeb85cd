import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Decider, ReviewDecision } from '../admission/decision.js';

export interface CapturedRequest {
  file: string;
  url: string;
  review: Record<string, unknown>;
}

function capturedDir(version: '1.24' | '1.32'): string {
  const testdata = process.env.SIGNET_TESTDATA;
  if (!testdata) throw new Error('SIGNET_TESTDATA is not set (run the tests through vitest)');
  return join(testdata, 'admission-reviews', `k8s-${version}`);
}

/** Every request a real kube-apiserver sent, as captured in testdata/admission-reviews. */
export function allCapturedRequests(): CapturedRequest[] {
  return (['1.24', '1.32'] as const).flatMap((version) =>
    readdirSync(capturedDir(version))
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => capturedRequest(version, name)),
  );
}

export function capturedRequest(version: '1.24' | '1.32', name: string): CapturedRequest {
  const raw = JSON.parse(readFileSync(join(capturedDir(version), name), 'utf8')) as {
    url: string;
    review: Record<string, unknown>;
  };
  return { file: `k8s-${version}/${name}`, url: raw.url, review: raw.review };
}

/** A deep copy of `review` where every container/volume image is replaced by `rewrite(image)`. */
export function rewriteImages<T>(review: T, rewrite: (image: string) => string): T {
  return JSON.parse(JSON.stringify(review), (key, value) => {
    if (key === 'image' && typeof value === 'string') return rewrite(value);
    return value;
  }) as T;
}

/** The review's request object, for edits in tests. */
export function requestOf(review: Record<string, unknown>): Record<string, unknown> {
  return review.request as Record<string, unknown>;
}

/** The images a captured review mentions in `object` (placeholders such as ok/img, bad/img). */
export function imagesIn(value: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(value, (key, v) => {
    if (key === 'image' && typeof v === 'string') found.push(v);
    return v;
  });
  return found;
}

/** An admission without warnings or annotations: what a server under test answers when the decision does not matter. */
export const PLAIN_ALLOW: ReviewDecision = {
  allowed: true,
  reason: 'policy',
  message: '',
  images: [],
  warnings: [],
  auditAnnotations: {},
};

export const allowEverything: Decider = async () => PLAIN_ALLOW;
