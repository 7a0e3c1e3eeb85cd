import type { Logger } from 'pino';
import { registryProjectOf } from '../policies/namespace-policies.js';
import type { OccurrenceIndex } from './occurrence-index.js';

/** Projects named in the log line; the count is always given. */
const LOGGED_PROJECTS = 20;

/**
 * The audit's `onRunningImages` for the index: the GCR / Artifact Registry projects of running Pods'
 * images become tracked scopes, so a restarted webhook warms them before those Pods are rescheduled.
 * Images whose project cannot be told (other registries) are ignored; each project is tracked once.
 */
export function trackRunningPodProjects(
  index: Pick<OccurrenceIndex, 'track'>,
  logger: Logger,
): (images: Iterable<string>) => void {
  const tracked = new Set<string>();
  return (images) => {
    const fresh = new Set<string>();
    for (const image of images) {
      const project = registryProjectOf(image);
      if (project && !tracked.has(project)) fresh.add(project);
    }
    if (fresh.size === 0) return;
    for (const project of fresh) tracked.add(project);
    index.track({ projects: fresh });
    logger.info(
      { projects: [...fresh].slice(0, LOGGED_PROJECTS), count: fresh.size },
      'index tracks the projects of running Pods (warming in the background)',
    );
  };
}
