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

export const attestationAuthoritySpec = z.strictObject({
  noteReference: noteReferenceField,
  publicKeyData: base64Field('publicKeyData').optional(),
  publicKeys: z.array(publicKeySpec).optional(),
  /** Kritis's old signing-secret form: accepted and ignored. */
  privateKeySecretName: z.string().describe('ignored (Kritis signing secret)').optional(),
});

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
