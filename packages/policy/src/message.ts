import type { Violation } from './violation.js';

const WARNING_MAX = 250;

/** Images detailed in a denial; the rest are counted. Kubernetes shows the message and keeps it in events. */
export const MAX_IMAGES_IN_MESSAGE = 10;
/** Longest reason or fix line, and longest message: a backstop for very long image names or reasons. */
const MAX_LINE_CHARS = 1_000;
export const MAX_MESSAGE_CHARS = 16 * 1024;
/** Longest audit annotation value: the API server keeps every one in its audit log. */
export const MAX_ANNOTATION_CHARS = 16 * 1024;

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
      `… and ${hidden} more image${hidden === 1 ? '' : 's'} failed policy (every image is in the webhook's log)`,
    );
  }
  return clipTo(lines.join('\n'), MAX_MESSAGE_CHARS);
}

/** One violation as an audit annotation lists it. */
interface ListedViolation {
  image: string;
  policy: string;
  reason: string;
}

/**
 * Audit annotations of violations, bounded like the message: the violations of the first images (as
 * many as fit in MAX_ANNOTATION_CHARS, each field clipped), and a summary counting what is not listed.
 */
export function violationAnnotations(violations: readonly Violation[]): { listed: string; summary: string } {
  const byImage = groupByImage(violations);
  const images = [...byImage.keys()].filter((image) => image !== '*');
  const shownImages = new Set(images.slice(0, MAX_IMAGES_IN_MESSAGE));
  const eligible = [...byImage].flatMap(([image, list]) =>
    image === '*' || shownImages.has(image) ? list : [],
  );
  const listed: ListedViolation[] = [];
  let length = 2; // the brackets
  for (const v of eligible) {
    const entry = {
      image: clipTo(v.image, MAX_LINE_CHARS),
      policy: clipTo(v.policy, MAX_LINE_CHARS),
      reason: clipTo(v.reason, MAX_LINE_CHARS),
    };
    const size = JSON.stringify(entry).length + 1;
    if (length + size > MAX_ANNOTATION_CHARS) break;
    listed.push(entry);
    length += size;
  }
  const counts = { total: violations.length, images: images.length, listed: listed.length };
  return {
    listed: JSON.stringify(listed),
    summary: annotationSummary(counts, listed.length === eligible.length),
  };
}

function annotationSummary(
  counts: { total: number; images: number; listed: number },
  firstImagesComplete: boolean,
): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const violations = plural(counts.total, 'violation');
  const head =
    counts.images > 0 ? `${plural(counts.images, 'image')} failed policy (${violations})` : violations;
  if (counts.listed === counts.total) return head;
  if (firstImagesComplete) {
    return `${head}; the violations of the first ${MAX_IMAGES_IN_MESSAGE} images are listed, every image is in the webhook's log`;
  }
  return `${head}; ${counts.total - counts.listed} violations are not listed here, every image is in the webhook's log`;
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
