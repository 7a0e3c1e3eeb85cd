import { z } from 'zod';
import {
  attestationNamesField,
  base64Field,
  cveField,
  enforcementModeField,
  FIELD_HELP,
  imagePatternField,
  keyTypeField,
  kritisResource,
  noteReferenceField,
  PATTERNS,
  PKIX_ALGORITHM_NAMES,
  pattern,
  severityLimitField,
} from './fields.js';

/** The `spec` of each kind, as written in YAML (Kritis's field names), strict so typos are refused. */
const pkixPublicKeySpec = z.strictObject({
  publicKeyPem: z
    .string()
    .regex(new RegExp(PATTERNS.pemPublicKey), { error: `must be ${FIELD_HELP.publicKeyPem}` })
    .describe(FIELD_HELP.publicKeyPem),
  signatureAlgorithm: z.enum(PKIX_ALGORITHM_NAMES).describe(FIELD_HELP.signatureAlgorithm),
});

export const publicKeySpec = z.strictObject({
  keyType: keyTypeField.optional(),
  KeyType: keyTypeField.optional(),
  keyId: z.string().min(1).describe(FIELD_HELP.keyId).optional(),
  asciiArmoredPgpPublicKey: base64Field('asciiArmoredPgpPublicKey').optional(),
  pkixPublicKey: pkixPublicKeySpec.optional(),
});

/** Signet's `spec.cosign`: signatures (and attestations) cosign stores in the registry, checked with a key. */
const cosignSpec = z
  .strictObject({
    publicKeyData: base64Field('cosign.publicKeyData'),
    repository: pattern(PATTERNS.repository, 'cosign.repository')
      .describe(FIELD_HELP['cosign.repository'])
      .optional(),
    attestations: z
      .array(
        z.strictObject({
          predicateType: pattern(PATTERNS.uri, 'predicateType').describe(FIELD_HELP.predicateType),
        }),
      )
      .describe('in-toto attestations (cosign attest) that must also be present, each signed with the key')
      .optional(),
  })
  .describe(FIELD_HELP.cosign);

const NEEDS_EVIDENCE = {
  message: 'has neither noteReference nor cosign, so nothing could ever attest an image',
  fix: 'add noteReference (attestations in Grafeas), cosign (cosign signatures in the registry), or both',
};

export const attestationAuthoritySpec = z
  .strictObject({
    noteReference: noteReferenceField.optional(),
    publicKeyData: base64Field('publicKeyData').optional(),
    publicKeys: z.array(publicKeySpec).optional(),
    /** Kritis's old signing-secret form: accepted and ignored. */
    privateKeySecretName: z.string().describe('ignored (Kritis signing secret)').optional(),
    cosign: cosignSpec.optional(),
  })
  .refine((spec) => spec.noteReference !== undefined || spec.cosign !== undefined, {
    message: NEEDS_EVIDENCE.message,
    params: { fix: NEEDS_EVIDENCE.fix },
  })
  // The CRD's form of the same rule (structural: a value validation, allowed by apiextensions.k8s.io/v1).
  .meta({ anyOf: [{ required: ['noteReference'] }, { required: ['cosign'] }] });

const genericAttestationPolicySpec = z.strictObject({
  attestationAuthorityNames: attestationNamesField,
  admissionAllowlistPatterns: z
    .array(z.strictObject({ namePattern: imagePatternField('namePattern') }))
    .describe('images admitted by name alone, without attestation')
    .optional(),
  enforcementMode: enforcementModeField.optional(),
});

const imageSecurityPolicySpec = z.strictObject({
  imageAllowlist: z.array(imagePatternField('imageAllowlist')).describe(FIELD_HELP.imageAllowlist).optional(),
  packageVulnerabilityRequirements: z
    .strictObject({
      maximumSeverity: severityLimitField.optional(),
      maximumFixUnavailableSeverity: severityLimitField.optional(),
      allowlistCVEs: z.array(cveField).describe(FIELD_HELP.allowlistCVEs).optional(),
    })
    .optional(),
  enforcementMode: enforcementModeField.optional(),
  requireScan: z.boolean().describe(FIELD_HELP.requireScan).optional(),
  /** Kritis fields with no effect on admission: accepted and ignored. */
  attestationAuthorityName: z.string().describe('ignored (Kritis)').optional(),
  privateKeySecretName: z.string().describe('ignored (Kritis)').optional(),
});

const vulnzSigningPolicySpec = z.strictObject({
  imageVulnerabilityRequirements: z.strictObject({
    maximumFixableSeverity: severityLimitField.optional(),
    maximumUnfixableSeverity: severityLimitField.optional(),
    allowlistCVEs: z.array(cveField).describe(FIELD_HELP.allowlistCVEs).optional(),
  }),
});

export const attestationAuthorityDocument = kritisResource('AttestationAuthority', attestationAuthoritySpec);
export const genericAttestationPolicyDocument = kritisResource(
  'GenericAttestationPolicy',
  genericAttestationPolicySpec,
);
export const imageSecurityPolicyDocument = kritisResource('ImageSecurityPolicy', imageSecurityPolicySpec);
export const vulnzSigningPolicyDocument = kritisResource('VulnzSigningPolicy', vulnzSigningPolicySpec);

/** The kinds served as custom resources (VulnzSigningPolicy is a file for the signer only). */
export const CLUSTER_KINDS = {
  AttestationAuthority: { plural: 'attestationauthorities', spec: attestationAuthoritySpec },
  GenericAttestationPolicy: { plural: 'genericattestationpolicies', spec: genericAttestationPolicySpec },
  ImageSecurityPolicy: { plural: 'imagesecuritypolicies', spec: imageSecurityPolicySpec },
} as const;
