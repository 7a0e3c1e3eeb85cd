import type { MetadataStore, ScanOnceStore } from '@signet/grafeas-client';
import { backendError } from '../common/cli-error.js';
import type { CommandContext } from '../common/command-result.js';
import type { PinnedImage } from '../common/image.js';

export type ScanState = 'FINISHED' | 'PENDING' | 'SCANNING' | 'UNKNOWN';

/** Waits (when asked) until the discovery occurrence says the scan finished; failures are errors. */
export async function scanStatus(
  store: MetadataStore,
  image: PinnedImage,
  project: string,
  waitMs: number | undefined,
  context: CommandContext,
): Promise<ScanState> {
  const deadline = Date.now() + (waitMs ?? 0);
  const interval = Number(context.env.SIGNET_POLL_MS) > 0 ? Number(context.env.SIGNET_POLL_MS) : 2000;
  for (let poll = 0; ; poll += 1) {
    // A store that reads a project once per command must read it again to see the scan move on.
    if (poll > 0 && isScanOnce(store)) store.forgetScans();
    const state = await currentScan(store, image, project);
    if (state === 'FINISHED' || waitMs === undefined) return state;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw backendError(
        'SCAN_TIMEOUT',
        `the vulnerability scan of ${image.resourceUrl} in project ${project} did not finish within ${formatMs(waitMs)} (last status ${state})`,
        'wait longer with a larger --wait, or check that the registry scans this image',
      );
    }
    context.progress(
      `waiting for the vulnerability scan of ${image.name}@${image.digest}: ${state}, ${Math.ceil(left / 1000)}s left`,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
  }
}

async function currentScan(store: MetadataStore, image: PinnedImage, project: string): Promise<ScanState> {
  const { discoveries } = await store.listImageOccurrences(project, image.resourceUrl);
  const statuses = discoveries.map((d) => d.analysisStatus);
  if (statuses.some((s) => s === 'FINISHED_SUCCESS' || s === 'COMPLETE')) return 'FINISHED';
  const failed = discoveries.find(
    (d) => d.analysisStatus === 'FINISHED_FAILED' || d.analysisStatus === 'FINISHED_UNSUPPORTED',
  );
  if (failed) {
    throw backendError(
      'SCAN_FAILED',
      `the vulnerability scan of ${image.resourceUrl} ended with ${failed.analysisStatus}${failed.analysisStatusError ? `: ${failed.analysisStatusError}` : ''}`,
      'the verdict cannot be trusted without a scan: check that the registry supports scanning this image, then rescan',
    );
  }
  if (statuses.includes('SCANNING')) return 'SCANNING';
  if (statuses.includes('PENDING')) return 'PENDING';
  return 'UNKNOWN';
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function scanNotice(scan: ScanState): string {
  if (scan === 'FINISHED') return '';
  if (scan === 'UNKNOWN')
    return '\nnote: no scan status was found for this image; use --wait to wait for one';
  return `\nnote: the vulnerability scan is not finished (${scan}); the verdict may change (use --wait)`;
}

function isScanOnce(store: MetadataStore): store is ScanOnceStore {
  return typeof (store as Partial<ScanOnceStore>).forgetScans === 'function';
}
