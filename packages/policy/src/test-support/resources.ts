import {
  type ParseResult,
  parseAttestationAuthority,
  parseGenericAttestationPolicy,
  parseImageSecurityPolicy,
} from '../parse.js';
import type {
  AttestationAuthority,
  GenericAttestationPolicy,
  ImageSecurityPolicy,
  PolicyKind,
} from '../resource-types.js';
import { KRITIS_API_VERSION } from '../schemas/fields.js';

/** The resource `kind/namespace/name` with this spec, parsed; a refused one throws its error. */
function parsed<T>(
  parse: (input: unknown) => ParseResult<T>,
  kind: PolicyKind,
  name: string,
  spec: Record<string, unknown>,
  namespace: string,
): T {
  const result = parse({ apiVersion: KRITIS_API_VERSION, kind, metadata: { name, namespace }, spec });
  if (!result.ok) throw result.error;
  return result.value;
}

export function authority(
  name: string,
  spec: Record<string, unknown>,
  namespace = 'default',
): AttestationAuthority {
  return parsed(parseAttestationAuthority, 'AttestationAuthority', name, spec, namespace);
}

export function pgpAuthority(
  name: string,
  publicKeyBase64: string,
  note = `projects/attestors/notes/${name}`,
) {
  return authority(name, {
    noteReference: note,
    publicKeys: [{ keyType: 'PGP', asciiArmoredPgpPublicKey: publicKeyBase64 }],
  });
}

export function gap(
  name: string,
  spec: Record<string, unknown>,
  namespace = 'default',
): GenericAttestationPolicy {
  return parsed(parseGenericAttestationPolicy, 'GenericAttestationPolicy', name, spec, namespace);
}

export function isp(name: string, spec: Record<string, unknown>, namespace = 'default'): ImageSecurityPolicy {
  return parsed(parseImageSecurityPolicy, 'ImageSecurityPolicy', name, spec, namespace);
}

/** An AdmissionReview request for a Pod with these container images. */
export function podRequest(
  images: string[],
  options: {
    operation?: string;
    oldImages?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    namespace?: string;
  } = {},
): Record<string, unknown> {
  const pod = (list: string[]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: options.namespace ?? 'default',
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: { containers: list.map((image, i) => ({ name: `c${i}`, image })) },
  });
  return {
    uid: 'test-uid',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    name: 'web',
    namespace: options.namespace ?? 'default',
    operation: options.operation ?? 'CREATE',
    object: pod(images),
    oldObject: options.oldImages ? pod(options.oldImages) : null,
  };
}

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
