import { parseImageReference } from '@signet/signing';

/**
 * What a tag-only image in a workload's pod template (Deployment, CronJob, …) meets:
 * - `deny` (default, as Kritis): it is refused like a tag in a Pod: pin it by digest;
 * - `judge-in-pods`: it is set aside with a warning, because the resolve hook (`--resolve-tags pods`)
 *   pins and the validation hook judges every Pod made from the template. The template keeps its tag
 *   (GitOps tools see no drift), and nothing runs unjudged: a Pod that still names a tag is refused.
 */
export type TemplateTags = 'deny' | 'judge-in-pods';

/** Kinds whose images run as written: their tags are always judged here. */
const POD_KINDS = new Set(['Pod', 'EphemeralContainers']);

/** Splits `images` into those judged now and the template tags left to each Pod (`judge-in-pods` only). */
export function deferTemplateTags(
  kind: string,
  images: readonly string[],
  mode: TemplateTags,
): { judged: string[]; deferred: string[] } {
  if (mode === 'deny' || POD_KINDS.has(kind)) return { judged: [...images], deferred: [] };
  const judged: string[] = [];
  const deferred: string[] = [];
  for (const image of images) (isTagOnly(image) ? deferred : judged).push(image);
  return { judged, deferred };
}

/** A reference that parses and names no digest; anything unreadable stays to be judged (and refused). */
function isTagOnly(image: string): boolean {
  try {
    return parseImageReference(image).digest === undefined;
  } catch {
    return false;
  }
}

export function deferredTagWarning(image: string, kind: string): string {
  return `${image} is named by tag in this ${kind}'s pod template: Signet judges it in each Pod made from it, pinned by digest at admission (signet-resolve, --resolve-tags pods)`;
}
