export { type CertificateBundle, SECRET_KEYS } from './bundle.js';
export {
  DEFAULT_RENEW_BEFORE_MS,
  DEFAULT_VALIDITY_MS,
  type EnsureWebhookCertificatesOptions,
  ensureWebhookCertificates,
  type WebhookCertificates,
} from './ensure.js';
export { CertificateError, type CertificateErrorCode } from './errors.js';
export { generateCertificateBundle, serviceDnsNames } from './generate.js';
export { type ManagedTls, type ManagedTlsConfig, startManagedTls } from './managed-tls.js';
export { podNamespace, SERVICE_ACCOUNT_NAMESPACE_FILE } from './namespace.js';
export {
  type CertificateRenewer,
  type CertificateRenewerOptions,
  createCertificateRenewer,
} from './renewer.js';
