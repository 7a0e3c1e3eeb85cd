import type { ApiVersion } from '@signet/grafeas-client';
import type { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { checkOccurrence, type Json } from './documents.js';

/**
 * Load occurrences with the names and times they carry (a test fixture, a demo): each
 * `projects/P[/locations/L]/occurrences/ID` is stored as if a client had created it at createTime.
 */
export function seedOccurrences(store: SqliteMetadataStore, version: ApiVersion, occurrences: Json[]): void {
  for (const occurrence of occurrences) {
    const match = /^projects\/(.+)\/occurrences\/([^/]+)$/.exec(String(occurrence.name));
    if (!match) {
      throw new Error(`cannot seed "${occurrence.name}": not projects/P[/locations/L]/occurrences/ID`);
    }
    const checked = checkOccurrence(version, occurrence);
    const time = new Date().toISOString();
    store.records.insertOccurrences(match[1]!, [
      {
        id: match[2]!,
        kind: checked.kind,
        resourceUri: checked.resourceUri,
        noteName: checked.noteName,
        wire: { version, json: checked.json },
        ...(checked.spec ? { spec: checked.spec } : {}),
        createTime: typeof occurrence.createTime === 'string' ? occurrence.createTime : time,
        updateTime: typeof occurrence.updateTime === 'string' ? occurrence.updateTime : time,
      },
    ]);
  }
}
