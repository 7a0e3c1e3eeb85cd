/**
 * `@signet/grafeas-client/records`: the embedded store's tables, for the one caller that serves them
 * over HTTP (the Grafeas emulator) and for tests that fill or read a store directly. Everyone else opens
 * a store with `openMetadataStore` and sees only `MetadataStore`.
 */
export { SqliteMetadataStore } from './sqlite/sqlite-store.js';
export type {
  NoteRecord,
  OccurrenceKey,
  OccurrenceRecord,
  OccurrenceScan,
  WireRecords,
} from './sqlite/wire-records.js';
