export { createRegistryClient, type RegistryClient } from './client.js';
export type { CosignArtifacts } from './cosign-artifacts.js';
export type { CosignWrite } from './cosign-push.js';
export {
  type CredentialProvider,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
} from './credentials.js';
export { RegistryError } from './registry-error.js';
