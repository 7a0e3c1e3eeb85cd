export { createRegistryClient } from './client.js';
export {
  type CredentialProvider,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
} from './credentials.js';
