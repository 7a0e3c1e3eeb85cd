import { SignetError } from '@signet/errors';

/** A policy resource, a settings document or a decision input that Signet refuses, with where and why. */
export class PolicyError extends SignetError {
  /** `Kind/namespace/name` of the resource at fault, when there is one. */
  readonly resource: string | undefined;
  /** Dotted path of the offending field, e.g. `spec.publicKeys[0].keyType`. */
  readonly field: string | undefined;

  constructor(
    code: string,
    message: string,
    fix: string,
    where: { resource?: string; field?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, fix, options);
    this.resource = where.resource;
    this.field = where.field;
  }
}
