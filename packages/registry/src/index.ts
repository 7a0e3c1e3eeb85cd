export { createRegistryClient, type RegistryClient, type RegistryClientOptions } from './client.js';
export {
  type CredentialProvider,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
} from './credentials.js';
export { RegistryError, type RegistryErrorCode } from './registry-error.js';
