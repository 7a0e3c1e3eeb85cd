import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// cosign 2.5's recorded signatures (testdata/cosign, its README says how they were made). The payloads
// name the image as cosign signed it, 127.0.0.1:5123/signet/app: tests judge that name and digest, and
// read the signatures from wherever they now are through the authority's `repository` (cosign's
// COSIGN_REPOSITORY), which is what the option is for. Port 5123 is never spoken to.

const VECTORS = join(process.env.SIGNET_TESTDATA ?? '', 'cosign');

const SIGNED_DIGEST = 'sha256:3601fa8a5a80dba862b9c4a0fb4ae8d393bf4f30d720aa94a7f395facb22e55a';
export const UNSIGNED_DIGEST = `sha256:${'5'.repeat(64)}`;
/** The repository the payloads name. */
export const SIGNED_AS = '127.0.0.1:5123/signet/app';
export const SIGNED_IMAGE = `${SIGNED_AS}@${SIGNED_DIGEST}`;
export const UNSIGNED_IMAGE = `${SIGNED_AS}@${UNSIGNED_DIGEST}`;
export const SIG_TAG = `${SIGNED_DIGEST.replace(':', '-')}.sig`;
export const ATT_TAG = `${SIGNED_DIGEST.replace(':', '-')}.att`;
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const SLSA_V1 = 'https://slsa.dev/provenance/v1';

export function cosignVector(file: string): Buffer {
  return readFileSync(join(VECTORS, file));
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A recorded blob, by digest. */
export function cosignBlob(digest: string): Buffer {
  return cosignVector(join('blobs', digest.replace('sha256:', '')));
}

/** The digests of the blobs a recorded manifest names (config and layers). */
export function blobsOf(manifest: Buffer): string[] {
  const parsed = JSON.parse(manifest.toString('utf8')) as {
    config?: { digest: string };
    layers?: { digest: string }[];
  };
  return [parsed.config?.digest, ...(parsed.layers ?? []).map((layer) => layer.digest)].filter(
    (digest): digest is string => digest !== undefined,
  );
}

/** base64 of a recorded public key (PEM): spec.cosign.publicKeyData. */
export function cosignKeyData(name = 'ecdsa-p256'): string {
  return cosignVector(`keys/${name}.pub`).toString('base64');
}

/** An AttestationAuthority with spec.cosign (the recorded key), its signatures in `repository`. */
export function cosignAuthorityYaml(
  name: string,
  options: { repository?: string; key?: string; predicateTypes?: string[] },
): string {
  const key = cosignKeyData(options.key);
  const lines = [
    'apiVersion: kritis.grafeas.io/v1beta1',
    'kind: AttestationAuthority',
    `metadata:\n  name: ${name}`,
    'spec:',
    '  cosign:',
    `    publicKeyData: ${key}`,
    ...(options.repository ? [`    repository: ${options.repository}`] : []),
    ...(options.predicateTypes?.length
      ? ['    attestations:', ...options.predicateTypes.map((type) => `    - predicateType: ${type}`)]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** A GenericAttestationPolicy of namespace `default` requiring every authority named. */
export function requirePolicyYaml(name: string, authorities: string[]): string {
  return [
    'apiVersion: kritis.grafeas.io/v1beta1',
    'kind: GenericAttestationPolicy',
    `metadata:\n  name: ${name}\n  namespace: default`,
    'spec:',
    '  attestationAuthorityNames:',
    ...authorities.map((authority) => `  - ${authority}`),
    '',
  ].join('\n');
}

/** A Pod manifest running `images`, one container each. */
export function podYaml(name: string, images: string[]): string {
  const containers = images.map((image, n) => `  - name: c${n}\n    image: ${image}`);
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n${containers.join('\n')}\n`;
}
