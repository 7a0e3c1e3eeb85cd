import type { ScanRecord } from './metadata.js';

const FINISHED = new Set(['FINISHED_SUCCESS', 'COMPLETE']);
const FAILED = new Set(['FINISHED_FAILED', 'FINISHED_UNSUPPORTED']);

/** Why an image's vulnerability scan does not count as finished (undefined: it finished). */
export interface UnfinishedScan {
  reason: string;
  fix: string;
}

/**
 * Judges the DISCOVERY occurrences of an image for `requireScan`: one finished scan suffices (a rescan
 * in progress does not undo it); otherwise the image was never scanned, is still being scanned, or the
 * scan failed — and its lack of findings proves nothing.
 */
export function unfinishedScan(
  scans: readonly ScanRecord[],
  image: string,
  project: string,
): UnfinishedScan | undefined {
  if (scans.some((scan) => FINISHED.has(scan.status))) return undefined;
  const waitFor = `\`signet check --image ${image} --policy POLICY --wait 10m\` waits for it`;
  const failed = scans.find((scan) => FAILED.has(scan.status));
  if (failed) {
    return {
      reason: `the vulnerability scan of the image ended with ${failed.status}${failed.error ? ` (${failed.error})` : ''}, so its lack of findings proves nothing`,
      fix: 'check that the registry can scan this image (its OS and package types), then push or rescan it',
    };
  }
  const running = scans.find((scan) => scan.status === 'PENDING' || scan.status === 'SCANNING');
  if (running) {
    return {
      reason: `the vulnerability scan of the image has not finished (${running.status})`,
      fix: `retry once the scan has finished; ${waitFor}`,
    };
  }
  return {
    reason: `the image has no vulnerability scan (no finished DISCOVERY occurrence in project ${project})`,
    fix: `push it to a registry that scans images (Artifact Registry with the Container Scanning API on), then retry once the scan has finished; ${waitFor}`,
  };
}
