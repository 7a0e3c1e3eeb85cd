import { z } from 'zod';
import { isNamespaceName, NAMESPACE_NAME_HELP } from '../namespace-name.js';
import { SEVERITY_LIMITS } from '../severity.js';

/**
 * Field schemas shared by the resources. Each field's description doubles as the CRD's description
 * and as the "fix" Signet prints when the field is wrong, so it says what a valid value looks like.
 */
export const FIELD_HELP = {
  noteReference:
    'the attestation note: `projects/PROJECT` (the note is then projects/PROJECT/notes/<metadata.name>) or `projects/PROJECT/notes/NOTE`',
  publicKeyData:
    'base64 of an ASCII-armored PGP public key, e.g. `gpg --armor --export KEY_FINGERPRINT | base64 -w0`',
  'cosign.publicKeyData':
    'base64 of the PEM public key cosign wrote (cosign.pub: ECDSA P-256/P-384, RSA ≥ 2048 bits or Ed25519), e.g. `base64 -w0 cosign.pub`',
  'cosign.repository':
    'the repository holding the signatures, as cosign’s COSIGN_REPOSITORY names it (`registry/path`, no tag or digest); default: the image’s own repository',
  predicateType:
    'the in-toto predicate type URI a verified cosign attestation must carry, e.g. https://slsa.dev/provenance/v1 (cosign attest --type slsaprovenance1)',
  cosign:
    'cosign signatures in the registry: {publicKeyData: base64 of cosign.pub, repository?: where signatures are stored, attestations?: [{predicateType: URI}]}',
  asciiArmoredPgpPublicKey:
    'base64 of an ASCII-armored PGP public key, e.g. `gpg --armor --export KEY_FINGERPRINT | base64 -w0`',
  keyType: 'PGP or PKIX (the spelling `KeyType` is accepted too)',
  keyId:
    'the key id signatures name, matched exactly: the full 40-hex PGP fingerprint, or for PKIX any RFC 3986 URI reference such as //cloudkms.googleapis.com/v1/projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/1 (default ni:///sha-256;<base64url SHA-256 of the DER public key>)',
  publicKeyPem: 'a PEM public key (`-----BEGIN PUBLIC KEY-----`), e.g. `openssl pkey -in key.pem -pubout`',
  signatureAlgorithm:
    'a Binary Authorization signature algorithm, e.g. ECDSA_P256_SHA256 or RSA_SIGN_PKCS1_4096_SHA256',
  namePattern:
    'an image name (`registry/path/image`, optionally with :tag or @digest), or a prefix ending in `*` (one path segment) or `**` (any depth) after the registry, e.g. `gcr.io/my-project/*`',
  imageAllowlist:
    'image names (`registry/path/image`, optionally with :tag or @digest), or prefixes ending in `*` (one path segment) or `**` (any depth) after the registry',
  allowlistCVEs:
    'CVE ids: `CVE-2021-1234`, `projects/goog-vulnz/notes/CVE-2021-1234` or `providers/goog-vulnz/notes/CVE-2021-1234`',
  severity: `one of ${SEVERITY_LIMITS.join(', ')}`,
  enforcementMode:
    'Enforce (deny violations, the default) or DryRun (admit, and report violations as warnings)',
  attestationAuthorityNames:
    'names of AttestationAuthorities in the same namespace; every one must attest an image',
  requireScan:
    'Signet only (Kritis ignores it): true denies an image until its vulnerability scan has finished — no scan found, a scan pending or running, or a failed scan all deny. Without it an unscanned image passes, having no findings',
  vulnerabilityProject: 'a Google Cloud project id (or domain:project), e.g. `my-project`',
} as const;

export type HelpedField = keyof typeof FIELD_HELP;

/** RE2-compatible patterns: the CRDs carry them, and the API server evaluates them with Go's regexp. */
export const PATTERNS = {
  project: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
  // Kritis's tutorial writes `v1beta1/projects/P`: the API-version prefix is accepted and dropped.
  noteReference: '^(v1beta1/|v1/)?projects/[A-Za-z0-9][A-Za-z0-9._:-]*(/notes/[A-Za-z0-9][A-Za-z0-9._-]*)?$',
  base64: '^[A-Za-z0-9+/=\\s]+$',
  pemPublicKey: '-----BEGIN (RSA )?PUBLIC KEY-----',
  // `registry[:port]/path` or a Docker Hub path, without tag or digest.
  repository: '^([a-z0-9][a-z0-9.-]*(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$',
  uri: '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$',
  // An exact name, or a literal prefix containing the registry's `/` followed by `*` or `**`.
  imagePattern: '^([^*\\s]+|[^*\\s/]+/[^*\\s]*[*]{1,2})$',
  cve: '^((projects|providers)/[^/\\s]+/notes/)?[^/\\s]+$',
} as const;

export const PKIX_ALGORITHM_NAMES = [
  'RSA_PSS_2048_SHA256',
  'RSA_SIGN_PSS_2048_SHA256',
  'RSA_PSS_3072_SHA256',
  'RSA_SIGN_PSS_3072_SHA256',
  'RSA_PSS_4096_SHA256',
  'RSA_SIGN_PSS_4096_SHA256',
  'RSA_PSS_4096_SHA512',
  'RSA_SIGN_PSS_4096_SHA512',
  'RSA_SIGN_PKCS1_2048_SHA256',
  'RSA_SIGN_PKCS1_3072_SHA256',
  'RSA_SIGN_PKCS1_4096_SHA256',
  'RSA_SIGN_PKCS1_4096_SHA512',
  'ECDSA_P256_SHA256',
  'EC_SIGN_P256_SHA256',
  'ECDSA_P384_SHA384',
  'EC_SIGN_P384_SHA384',
  'ECDSA_P521_SHA512',
  'EC_SIGN_P521_SHA512',
] as const;

export function pattern(source: string, field: HelpedField) {
  return z.string().regex(new RegExp(source), { error: `must be ${FIELD_HELP[field]}` });
}

export const base64Field = (field: HelpedField) =>
  pattern(PATTERNS.base64, field).describe(FIELD_HELP[field]);
export const noteReferenceField = pattern(PATTERNS.noteReference, 'noteReference').describe(
  FIELD_HELP.noteReference,
);
export const imagePatternField = (field: HelpedField) =>
  pattern(PATTERNS.imagePattern, field).describe(FIELD_HELP[field]);
export const cveField = pattern(PATTERNS.cve, 'allowlistCVEs');
export const severityLimitField = z.enum(SEVERITY_LIMITS).describe(FIELD_HELP.severity);
export const enforcementModeField = z.enum(['Enforce', 'DryRun']).describe(FIELD_HELP.enforcementMode);
export const keyTypeField = z.enum(['PGP', 'PKIX']).describe(FIELD_HELP.keyType);
export const projectField = pattern(PATTERNS.project, 'vulnerabilityProject').describe(
  FIELD_HELP.vulnerabilityProject,
);

export const KRITIS_API_VERSION = 'kritis.grafeas.io/v1beta1';

/** Kubernetes object metadata: only the name and namespace matter here; the rest passes through. */
const metadataSchema = z.looseObject({
  name: z.string().min(1, { error: 'must be a non-empty name' }),
  namespace: z
    .string()
    .min(1)
    .refine(isNamespaceName, { error: `must be ${NAMESPACE_NAME_HELP}` })
    .optional(),
});

export function kritisResource<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z.looseObject({
    apiVersion: z.literal(KRITIS_API_VERSION, { error: `must be ${KRITIS_API_VERSION}` }),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec,
  });
}

/** Non-empty, as in Kritis: a policy requiring no authority would otherwise admit everything. */
export const attestationNamesField = z
  .array(z.string().min(1, { error: 'must be a non-empty AttestationAuthority name' }))
  .min(1)
  .describe(FIELD_HELP.attestationAuthorityNames);
