import type { Violation } from './decision-types.js';

const WARNING_MAX = 250;

/** The denial message: every image, every failed policy, the reason and the fix. */
export function denialMessage(target: string, violations: readonly Violation[]): string {
  const byImage = groupByImage(violations);
  const imageCount = [...byImage.keys()].filter((image) => image !== '*').length;
  const head =
    imageCount > 0
      ? `Signet denied ${target}: ${imageCount} image${imageCount === 1 ? '' : 's'} failed policy.`
      : `Signet denied ${target}.`;
  const lines = [head];
  for (const [image, list] of byImage) {
    lines.push(image === '*' ? 'every image:' : `image ${image}:`);
    for (const v of list) {
      lines.push(`  - ${v.policy}: ${v.reason}`);
      lines.push(`    fix: ${v.fix}`);
    }
  }
  return lines.join('\n');
}

/** A one-line warning per DryRun violation. */
export function dryRunWarning(violation: Violation): string {
  return clip(`DryRun ${violation.policy} would deny ${violation.image}: ${violation.reason}`);
}

export function clip(text: string): string {
  return text.length <= WARNING_MAX ? text : `${text.slice(0, WARNING_MAX - 1)}…`;
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
