import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The project id substituted for Kritis's `{{ .Project }}` placeholder. */
export const PROJECT = 'signet-test';

export const KRITIS_DIR = join(process.env.SIGNET_TESTDATA ?? '', 'kritis');

/** A Kritis fixture's text with `{{ .Project }}` filled in. */
export function readKritis(relativePath: string): string {
  return readFileSync(join(KRITIS_DIR, relativePath), 'utf8').replaceAll('{{ .Project }}', PROJECT);
}

export function readAdmissionReview(relativePath: string): {
  url: string;
  review: { request: Record<string, unknown> };
} {
  const path = join(process.env.SIGNET_TESTDATA ?? '', 'admission-reviews', relativePath);
  return JSON.parse(readFileSync(path, 'utf8'));
}
