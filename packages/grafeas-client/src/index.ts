// What the apps and the guide's world import. The store's tables are `@signet/grafeas-client/records`
// (for the emulator), the defaults that load no SQLite or HTTP code `@signet/grafeas-client/defaults`.
export { GRPC_CODE_NAMES, GrafeasError, httpStatusForGrpc, isGrafeasError } from './errors.js';
export {
  type AnalysisStatus,
  type ApiVersion,
  type AttestationOccurrence,
  type AttestationOccurrenceSpec,
  type AttestationSignature,
  type NoteSpec,
  type Occurrence,
  type OccurrenceSpec,
  occurrenceSpecOf,
  type Severity,
  type VulnerabilityOccurrence,
} from './model.js';
export { isValidId, noteName, parseNoteName } from './names.js';
export { openMetadataStore } from './open.js';
export { resourceKey } from './resource-url.js';
export type { TlsOptions } from './rest/http-transport.js';
export { type ScanOnceStore, scanOnce } from './scan-once.js';
export type { CallOptions, ImageBatchReads, MetadataStore, OccurrenceScope, PerImage } from './store.js';
export { mapperFor } from './wire/index.js';
