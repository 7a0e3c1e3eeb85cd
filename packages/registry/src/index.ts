export {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
  type ResolvedImage,
  type ResolveOptions,
} from './client.js';
export {
  type CredentialProvider,
  type CredentialRequest,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
  type RegistryCredential,
} from './credentials.js';
export { MANIFEST_MEDIA_TYPES } from './manifest.js';
export { RegistryError, type RegistryErrorCode } from './registry-error.js';
