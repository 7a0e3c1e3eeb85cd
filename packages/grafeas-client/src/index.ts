export { decodeBase64, encodeBase64 } from '@signet/signing';
export { defaultStoreUrl, STORE_TLS_FLAGS, type StoreFlag, signetDataDir } from './defaults.js';
export { errorFromHttpAnswer } from './error-body.js';
export {
  GRPC_CODE_NAMES,
  GrafeasError,
  type GrafeasErrorCode,
  type GrafeasErrorFields,
  grpcCodeForName,
  httpStatusForGrpc,
  isGrafeasError,
} from './errors.js';
export * from './model.js';
export {
  isValidId,
  noteName,
  occurrenceName,
  type ParsedName,
  parseNoteName,
  parseOccurrenceName,
  projectIdOf,
} from './names.js';
export { type OpenStoreOptions, openMetadataStore, STORE_URL_FORMS } from './open.js';
export { resourceKey } from './resource-url.js';
export type { TlsOptions } from './rest/http-transport.js';
export { DEFAULT_PAGING_LIMITS, type PagingLimits, type PagingProgress } from './rest/paging.js';
export { DEFAULT_RETRY, type RetryPolicy } from './rest/retry.js';
export { type ScanOnceStore, type ScanProgress, scanOnce } from './scan-once.js';
export {
  type Inserted,
  type NotePageQuery,
  type OccurrencePageQuery,
  type Page,
  SqliteMetadataStore,
} from './sqlite/sqlite-store.js';
export type {
  NewNoteRecord,
  NewOccurrenceRecord,
  NoteRecord,
  OccurrenceKey,
  OccurrenceRecord,
  OccurrenceScan,
  WireDocument,
  WireRecords,
} from './sqlite/wire-records.js';
export type {
  CallOptions,
  FilterSupport,
  MetadataStore,
  OccurrenceFilter,
  OccurrenceScope,
  ScanOptions,
  ScanSummary,
} from './store.js';
export {
  mapperFor,
  type Parsed,
  type ToWireOptions,
  v1beta1Mapper,
  v1Mapper,
  type WireMapper,
  type WireNote,
  type WireOccurrence,
} from './wire/index.js';
