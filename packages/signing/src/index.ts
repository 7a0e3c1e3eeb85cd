export * from './base64.js';
export * from './payload.js';
export * from './pgp/index.js';
export * from './pkix.js';
export * from './reference.js';
export * from './severity.js';
export * from './signing-error.js';
