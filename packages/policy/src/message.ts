import type { Violation } from './decision-types.js';

const WARNING_MAX = 250;

/** Images detailed in a denial; the rest are counted. Kubernetes shows the message and keeps it in events. */
export const MAX_IMAGES_IN_MESSAGE = 10;
/** Longest reason or fix line, and longest message: a backstop for very long image names or reasons. */
const MAX_LINE_CHARS = 1_000;
export const MAX_MESSAGE_CHARS = 16 * 1024;

/** The denial message: a summary, then each of the first images with every failed policy, reason and fix. */
export function denialMessage(target: string, violations: readonly Violation[]): string {
  const byImage = groupByImage(violations);
  const images = [...byImage.keys()].filter((image) => image !== '*');
  const head =
    images.length > 0
      ? `Signet denied ${target}: ${images.length} image${images.length === 1 ? '' : 's'} failed policy.`
      : `Signet denied ${target}.`;
  const lines = [head];
  const shown = new Set(images.slice(0, MAX_IMAGES_IN_MESSAGE));
  for (const [image, list] of byImage) {
    if (image !== '*' && !shown.has(image)) continue;
    lines.push(clipTo(image === '*' ? 'every image:' : `image ${image}:`, MAX_LINE_CHARS));
    for (const v of list) {
      lines.push(clipTo(`  - ${v.policy}: ${v.reason}`, MAX_LINE_CHARS));
      lines.push(clipTo(`    fix: ${v.fix}`, MAX_LINE_CHARS));
    }
  }
  const hidden = images.length - shown.size;
  if (hidden > 0) {
    lines.push(
      `… and ${hidden} more image${hidden === 1 ? '' : 's'} failed policy (listed in the audit annotation and the webhook's log)`,
    );
  }
  return clipTo(lines.join('\n'), MAX_MESSAGE_CHARS);
}

/** A one-line warning per DryRun violation. */
export function dryRunWarning(violation: Violation): string {
  return clip(`DryRun ${violation.policy} would deny ${violation.image}: ${violation.reason}`);
}

export function clip(text: string): string {
  return clipTo(text, WARNING_MAX);
}

function clipTo(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function groupByImage(violations: readonly Violation[]): Map<string, Violation[]> {
  const groups = new Map<string, Violation[]>();
  // Namespace-wide problems first: they are what to fix first.
  const ordered = [...violations].sort((a, b) => Number(b.image === '*') - Number(a.image === '*'));
  for (const v of ordered) {
    const list = groups.get(v.image);
    if (list) list.push(v);
    else groups.set(v.image, [v]);
  }
  return groups;
}
