import { errorMessage } from '@signet/errors';
import type { z } from 'zod';
import { readAuthorityKeys, readCosignAuthority } from './authority-keys.js';
import { PolicyError } from './errors.js';
import type {
  AttestationAuthority,
  GenericAttestationPolicy,
  ImageSecurityPolicy,
  InvalidResource,
  PolicyIssue,
  PolicyKind,
  PolicyResource,
  ResourceMeta,
  VulnzSigningPolicy,
} from './resource-types.js';
import { KRITIS_API_VERSION } from './schemas/fields.js';
import {
  attestationAuthorityDocument,
  genericAttestationPolicyDocument,
  imageSecurityPolicyDocument,
  vulnzSigningPolicyDocument,
} from './schemas/resources.js';
import { type ClusterSettings, clusterSettingsSchema } from './schemas/settings.js';
import { summarizeIssues, toPolicyIssues } from './validation-issues.js';

export type ParseResult<T> =
  | { ok: true; value: T; notices: string[] }
  | { ok: false; error: PolicyError; invalid: InvalidResource };

export const POLICY_KINDS: readonly PolicyKind[] = [
  'AttestationAuthority',
  'GenericAttestationPolicy',
  'ImageSecurityPolicy',
  'VulnzSigningPolicy',
];

/** Parses any of the four kinds, chosen by `kind`. Never throws. */
export function parsePolicyResource(input: unknown): ParseResult<PolicyResource> {
  const kind = isRecord(input) ? input.kind : undefined;
  switch (kind) {
    case 'AttestationAuthority':
      return parseAttestationAuthority(input);
    case 'GenericAttestationPolicy':
      return parseGenericAttestationPolicy(input);
    case 'ImageSecurityPolicy':
      return parseImageSecurityPolicy(input);
    case 'VulnzSigningPolicy':
      return parseVulnzSigningPolicy(input);
    default:
      return failure(input, typeof kind === 'string' ? kind : '(unknown kind)', [
        {
          field: 'kind',
          message: `${JSON.stringify(kind ?? null)} is not a Signet policy kind`,
          fix: `use one of ${POLICY_KINDS.join(', ')} (apiVersion ${KRITIS_API_VERSION})`,
        },
      ]);
  }
}

export function parseAttestationAuthority(input: unknown): ParseResult<AttestationAuthority> {
  return parseKind('AttestationAuthority', attestationAuthorityDocument, input, (spec, metadata) => {
    const { keys, issues } = readAuthorityKeys(spec);
    const cosign = spec.cosign && readCosignAuthority(spec.cosign, issues);
    if (issues.length > 0) return failure(input, 'AttestationAuthority', issues);
    const notices: string[] = [];
    const where = describeResource('AttestationAuthority', metadata);
    if (spec.privateKeySecretName !== undefined) {
      notices.push(`${where}: spec.privateKeySecretName is ignored (Signet never holds signing keys)`);
    }
    const value: AttestationAuthority = { kind: 'AttestationAuthority', metadata, keys };
    if (spec.noteReference !== undefined) {
      if (keys.length === 0) {
        notices.push(`${where} has no public keys: every policy that requires it denies all images`);
      }
      const reference = spec.noteReference.replace(/^v1(beta1)?\//, '');
      value.noteName = reference.includes('/notes/') ? reference : `${reference}/notes/${metadata.name}`;
    } else if (keys.length > 0) {
      notices.push(
        `${where}: spec.publicKeyData and spec.publicKeys are ignored: they verify Grafeas attestations, and the authority has no noteReference (its cosign key is spec.cosign.publicKeyData)`,
      );
    }
    if (cosign) value.cosign = cosign;
    return { ok: true, value, notices };
  });
}

export function parseGenericAttestationPolicy(input: unknown): ParseResult<GenericAttestationPolicy> {
  return parseKind('GenericAttestationPolicy', genericAttestationPolicyDocument, input, (spec, metadata) => ({
    ok: true,
    value: {
      kind: 'GenericAttestationPolicy',
      metadata,
      attestationAuthorityNames: spec.attestationAuthorityNames,
      allowlistPatterns: (spec.admissionAllowlistPatterns ?? []).map((p) => p.namePattern),
      enforcementMode: spec.enforcementMode ?? 'Enforce',
    },
    notices: [],
  }));
}

export function parseImageSecurityPolicy(input: unknown): ParseResult<ImageSecurityPolicy> {
  return parseKind('ImageSecurityPolicy', imageSecurityPolicyDocument, input, (spec, metadata) => {
    const where = describeResource('ImageSecurityPolicy', metadata);
    const notices = (['attestationAuthorityName', 'privateKeySecretName'] as const)
      .filter((field) => spec[field] !== undefined)
      .map((field) => `${where}: spec.${field} is a Kritis field with no effect here; it is ignored`);
    const requirements = spec.packageVulnerabilityRequirements ?? {};
    return {
      ok: true,
      value: {
        kind: 'ImageSecurityPolicy',
        metadata,
        imageAllowlist: spec.imageAllowlist ?? [],
        maximumSeverity: requirements.maximumSeverity ?? 'CRITICAL',
        maximumFixUnavailableSeverity: requirements.maximumFixUnavailableSeverity ?? 'ALLOW_ALL',
        allowlistCVEs: requirements.allowlistCVEs ?? [],
        enforcementMode: spec.enforcementMode ?? 'Enforce',
        requireScan: spec.requireScan ?? false,
      },
      notices,
    };
  });
}

export function parseVulnzSigningPolicy(input: unknown): ParseResult<VulnzSigningPolicy> {
  return parseKind('VulnzSigningPolicy', vulnzSigningPolicyDocument, input, (spec, metadata) => {
    const requirements = spec.imageVulnerabilityRequirements;
    return {
      ok: true,
      value: {
        kind: 'VulnzSigningPolicy',
        metadata,
        maximumFixableSeverity: requirements.maximumFixableSeverity ?? 'CRITICAL',
        maximumUnfixableSeverity: requirements.maximumUnfixableSeverity ?? 'ALLOW_ALL',
        allowlistCVEs: requirements.allowlistCVEs ?? [],
      },
      notices: [],
    };
  });
}

/** Cluster settings with their defaults; `undefined` or `{}` gives the defaults. Never throws. */
export function parseClusterSettings(
  input: unknown,
): { ok: true; value: ClusterSettings } | { ok: false; error: PolicyError; issues: PolicyIssue[] } {
  const result = clusterSettingsSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const issues = toPolicyIssues(result.error.issues);
  return { ok: false, issues, error: errorFor('Signet settings', issues, 'SETTINGS_INVALID') };
}

/** `ImageSecurityPolicy default/my-isp`: how resources are named in messages. */
export function describeResource(
  kind: string,
  metadata: { name: string; namespace?: string | undefined },
): string {
  return `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
}

type ResourceDocument = z.ZodType<{
  metadata: { name: string; namespace?: string | undefined };
  spec: unknown;
}>;

/** Validates `input` against the kind's schema, then builds the resource from its spec. Never throws. */
function parseKind<S extends ResourceDocument, T>(
  kind: PolicyKind,
  schema: S,
  input: unknown,
  build: (spec: z.output<S>['spec'], metadata: ResourceMeta) => ParseResult<T>,
): ParseResult<T> {
  return guarded(input, kind, () => {
    const result = schema.safeParse(input, { reportInput: true });
    if (!result.success) return failure(input, kind, toPolicyIssues(result.error.issues));
    return build(result.data.spec, meta(result.data.metadata));
  });
}

function guarded<T>(input: unknown, kind: string, parse: () => ParseResult<T>): ParseResult<T> {
  try {
    return parse();
  } catch (cause) {
    // Unknown input is data: an unexpected exception becomes an issue, never a crash.
    const message = errorMessage(cause);
    return failure(input, kind, [
      { field: '(document)', message: `cannot be read: ${message}`, fix: 'correct the resource' },
    ]);
  }
}

function failure(
  input: unknown,
  kind: string,
  issues: PolicyIssue[],
): { ok: false; error: PolicyError; invalid: InvalidResource } {
  const metadata = isRecord(input) && isRecord(input.metadata) ? input.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name ? metadata.name : '(unnamed)';
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined;
  const invalid: InvalidResource = { kind, name, issues, ...(namespace ? { namespace } : {}) };
  return { ok: false, invalid, error: errorFor(describeResource(kind, { name, namespace }), issues) };
}

function errorFor(resource: string, issues: PolicyIssue[], code = 'POLICY_INVALID'): PolicyError {
  const first = issues[0];
  const { details, fixes } = summarizeIssues(issues);
  return new PolicyError(code, `${resource} is invalid: ${details}`, fixes, {
    resource,
    ...(first ? { field: first.field } : {}),
  });
}

function meta(metadata: { name: string; namespace?: string | undefined }): ResourceMeta {
  return metadata.namespace
    ? { name: metadata.name, namespace: metadata.namespace }
    : { name: metadata.name };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
