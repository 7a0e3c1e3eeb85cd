import type { CosignPublicKey } from '@signet/signing/cosign';
import type { SeverityLimit } from './severity.js';

type EnforcementMode = 'Enforce' | 'DryRun';

export interface ResourceMeta {
  name: string;
  namespace?: string;
}

/** A PGP key of an authority. `fingerprint` is the declared keyId, normalised (upper-case hex), if any. */
export interface PgpAuthorityKey {
  type: 'PGP';
  fingerprint?: string;
  /** The ASCII-armored public key (decoded from the resource's base64). */
  armoredKey: string;
}

/** A PKIX key of an authority; `keyId` is the declared id or the default `ni:///sha-256;…` id. */
export interface PkixAuthorityKey {
  type: 'PKIX';
  keyId: string;
  publicKeyPem: string;
  /** Canonical Binary Authorization name, e.g. ECDSA_P256_SHA256. */
  signatureAlgorithm: string;
}

export type AuthorityKey = PgpAuthorityKey | PkixAuthorityKey;

/** Signet's `spec.cosign`: an authority whose evidence is cosign's, in the registry. */
export interface CosignAuthority {
  /** The key of `spec.cosign.publicKeyData`, read. */
  publicKey: CosignPublicKey;
  /** Where signatures are stored (cosign's COSIGN_REPOSITORY), normalised; absent: the image's repository. */
  repository?: string;
  /** Predicate types that each need a verified attestation (`.att` or a bundle), besides the signature. */
  predicateTypes: string[];
}

/**
 * An authority: Grafeas attestations of a note (`noteName`, verified with `keys`), cosign signatures
 * (`cosign`), or both, in which case an image needs both.
 */
export interface AttestationAuthority {
  kind: 'AttestationAuthority';
  metadata: ResourceMeta;
  /**
   * Full note name `projects/P/notes/N` (the `projects/P` form is completed with metadata.name); absent
   * for a cosign-only authority.
   */
  noteName?: string;
  /** The keys of the note's attestations (empty for a cosign-only authority). */
  keys: AuthorityKey[];
  cosign?: CosignAuthority;
}

export interface GenericAttestationPolicy {
  kind: 'GenericAttestationPolicy';
  metadata: ResourceMeta;
  attestationAuthorityNames: string[];
  allowlistPatterns: string[];
  enforcementMode: EnforcementMode;
}

export interface ImageSecurityPolicy {
  kind: 'ImageSecurityPolicy';
  metadata: ResourceMeta;
  imageAllowlist: string[];
  maximumSeverity: SeverityLimit;
  maximumFixUnavailableSeverity: SeverityLimit;
  allowlistCVEs: string[];
  enforcementMode: EnforcementMode;
  /** Signet's `spec.requireScan`: deny until a vulnerability scan of the image has finished. */
  requireScan: boolean;
}

/** The signer's policy: which vulnerabilities an image may have to be signed. */
export interface VulnzSigningPolicy {
  kind: 'VulnzSigningPolicy';
  metadata: ResourceMeta;
  maximumFixableSeverity: SeverityLimit;
  maximumUnfixableSeverity: SeverityLimit;
  allowlistCVEs: string[];
}

export type PolicyResource =
  | AttestationAuthority
  | GenericAttestationPolicy
  | ImageSecurityPolicy
  | VulnzSigningPolicy;

export type PolicyKind = PolicyResource['kind'];

/** One thing wrong with a resource: where, what, and what to do. */
export interface PolicyIssue {
  /** Dotted path, e.g. `spec.publicKeys[0].keyType`; `(document)` for the whole thing. */
  field: string;
  message: string;
  fix: string;
}

/** A resource that failed validation. Its namespace fails closed until it is fixed. */
export interface InvalidResource {
  kind: string;
  name: string;
  namespace?: string;
  issues: PolicyIssue[];
}

/** Everything that applies in one namespace, as the decision needs it. */
export interface NamespacePolicies {
  authorities: AttestationAuthority[];
  genericAttestationPolicies: GenericAttestationPolicy[];
  imageSecurityPolicies: ImageSecurityPolicy[];
  invalid: InvalidResource[];
}
