import { WebhookError } from '../errors.js';

/** Codes of the `--manage-certs` failures; each names what the operator can do about it. */
export type CertificateErrorCode =
  | 'CERTS_INVALID_OPTIONS'
  | 'CERTS_KUBE_API_FAILED'
  | 'CERTS_WEBHOOK_CONFIG_NOT_FOUND'
  | 'CERTS_SECRET_CONTENDED';

/** A failure of the self-managed certificate mode (`signet-webhook --manage-certs`). */
export class CertificateError extends WebhookError {
  declare readonly code: CertificateErrorCode;

  constructor(code: CertificateErrorCode, message: string, fix: string, options?: { cause?: unknown }) {
    super(code, message, fix, options);
  }
}
