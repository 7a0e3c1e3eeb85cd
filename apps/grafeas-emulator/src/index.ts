export type { Flavor } from './api-error.js';
export { type Filter, type FilterSubject, filterSubject, matchesFilter, parseFilter } from './filter.js';
export { seedOccurrences } from './google/seed.js';
export {
  createEmulatorApp,
  DEFAULT_BODY_LIMIT,
  type EmulatorAppOptions,
  type RunningEmulator,
  type StartEmulatorOptions,
  startEmulator,
} from './server.js';
