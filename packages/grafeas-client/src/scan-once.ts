import type { ImageOccurrences, ListResult, Occurrence } from './model.js';
import { partitionImageOccurrences } from './partition.js';
import { resourceKey } from './resource-url.js';
import type { PagingProgress } from './rest/paging.js';
import type { CallOptions, MetadataStore, OccurrenceScope } from './store.js';

export interface ScanProgress extends PagingProgress {
  /** The scan has ended (the last report of a scan). */
  done: boolean;
}

/** A store whose per-image lookups are served from one whole scan per project or note. */
export interface ScanOnceStore extends MetadataStore {
  /** Forget the scans: the next lookup reads again (e.g. between polls of a scan's status). */
  forgetScans(): void;
}

/**
 * For backends that ignore filters (open-source Grafeas), where every per-image lookup reads the whole
 * project anyway: each project or note is scanned once, and its lookups are answered from that scan.
 * `onPage` sees the progress of each scan (scope, pages, occurrences).
 */
export function scanOnce(
  store: MetadataStore,
  onPage?: (scope: OccurrenceScope, progress: ScanProgress) => void,
): ScanOnceStore {
  const scans = new Map<string, Promise<ListResult<Occurrence>>>();
  const scan = (scope: OccurrenceScope, options?: CallOptions) => {
    const key = 'project' in scope ? `p|${scope.project}` : `n|${scope.noteName}`;
    let pending = scans.get(key);
    if (!pending) {
      let last: PagingProgress = { pages: 0, items: 0 };
      const report = (progress: PagingProgress) => {
        last = progress;
        onPage?.(scope, { ...progress, done: false });
      };
      pending = store.scanOccurrences(scope, { ...options, onPage: report });
      pending.then(
        () => onPage?.(scope, { ...last, done: true }),
        () => {},
      );
      // A failed scan is not kept: the next lookup tries again.
      pending.catch(() => scans.delete(key));
      scans.set(key, pending);
    }
    return pending;
  };
  const of = (listed: ListResult<Occurrence>, resourceUrl: string) => {
    const key = resourceKey(resourceUrl);
    return listed.items.filter((o) => resourceKey(o.resourceUri) === key);
  };
  // An unreadable occurrence whose resource is unknown may be this image's: it stays in every lookup.
  const skippedOf = (listed: ListResult<Occurrence>, resourceUrl: string) => {
    const key = resourceKey(resourceUrl);
    return listed.skipped.filter((s) => s.resourceUri === undefined || resourceKey(s.resourceUri) === key);
  };
  return Object.assign(Object.create(store) as MetadataStore, {
    async listImageOccurrences(
      project: string,
      resourceUrl: string,
      options?: CallOptions,
    ): Promise<ImageOccurrences> {
      const listed = await scan({ project }, options);
      return partitionImageOccurrences(of(listed, resourceUrl), skippedOf(listed, resourceUrl));
    },
    async listNoteOccurrences(
      noteName: string,
      resourceUrl: string,
      options?: CallOptions,
    ): Promise<ListResult<Occurrence>> {
      const listed = await scan({ noteName }, options);
      return { items: of(listed, resourceUrl), skipped: skippedOf(listed, resourceUrl) };
    },
    forgetScans() {
      scans.clear();
    },
  });
}
