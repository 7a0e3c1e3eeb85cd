import type { ListResult, Occurrence } from './model.js';
import type { MetadataStore, OccurrenceScope, ScanOptions } from './store.js';

/** A scan collected whole: `scanOccurrences` of a store that streams with `visitOccurrences`. */
export async function collectScan(
  store: Pick<MetadataStore, 'visitOccurrences'>,
  scope: OccurrenceScope,
  options?: ScanOptions,
): Promise<ListResult<Occurrence>> {
  const items: Occurrence[] = [];
  const { skipped } = await store.visitOccurrences(scope, (o) => items.push(o), options);
  return { items, skipped };
}
