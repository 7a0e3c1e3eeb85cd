// A leaf file, so that decision-types.ts and image-decision.ts can both use Violation without importing each other.

export type ViolationCode =
  | 'REQUEST_INVALID'
  | 'POLICY_INVALID'
  | 'NO_POLICY'
  | 'REFERENCE_INVALID'
  | 'NOT_PINNED'
  | 'NOT_ATTESTED'
  /** A cosign authority, and no registry reader to check it with (a configuration problem, not a backend failure). */
  | 'COSIGN_NOT_CONFIGURED'
  | 'AUTHORITY_MISSING'
  | 'VULNERABILITIES'
  | 'UNREADABLE_METADATA'
  | 'NOT_SCANNED'
  | 'NO_VULNERABILITY_PROJECT'
  | 'BACKEND_FAILED'
  /** The audit: a running container's status names no image Signet can look up. */
  | 'RUNNING_IMAGE_UNKNOWN'
  | 'INTERNAL_ERROR';

/** One unmet requirement: enforced ones deny, those of DryRun policies are reported. */
export interface Violation {
  /** The image as written in the object; `*` for a problem that concerns every image. */
  image: string;
  /** The policy at fault, e.g. `GenericAttestationPolicy default/my-gap`. */
  policy: string;
  reason: string;
  fix: string;
  code: ViolationCode;
}
