import { SignetError } from '@signet/errors';

/** The stable codes of every failure to resolve an image through a registry. */
export type RegistryErrorCode =
  | 'REGISTRY_TAG_UNKNOWN'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_TLS_UNTRUSTED'
  | 'REGISTRY_TIMEOUT'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_DIGEST_MISMATCH'
  | 'REGISTRY_BAD_RESPONSE'
  | 'REGISTRY_REALM_UNTRUSTED'
  | 'REGISTRY_CONFIG_INVALID'
  | 'REGISTRY_NOT_PINNED';

/**
 * Every failure of the registry client. `registry` is the registry's name as images spell it
 * (`docker.io`, `registry.example:5000`); `status` is the HTTP status when there was one.
 */
export class RegistryError extends SignetError {
  declare readonly code: RegistryErrorCode;
  readonly registry: string | undefined;
  readonly status: number | undefined;

  constructor(
    code: RegistryErrorCode,
    message: string,
    fix: string,
    details: { registry?: string; status?: number; cause?: unknown } = {},
  ) {
    super(code, message, fix, details.cause === undefined ? undefined : { cause: details.cause });
    this.registry = details.registry;
    this.status = details.status;
  }
}
