import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE_NOTE } from './release-signer.js';

/** The namespace Signet's own webhook would run in, and whose Pods the release policy guards. */
export const RELEASE_NAMESPACE = 'signet';
/** The cosign authority: the image's `.sig` in its own repository, signed with the release cosign key. */
export const COSIGN_AUTHORITY = 'release-build';

function resource(kind: string, name: string, spec: string): string {
  return `apiVersion: kritis.grafeas.io/v1beta1
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${RELEASE_NAMESPACE}
spec:
${spec}`;
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/**
 * The release policy in `dir/<namespace>/`: a Grafeas authority (the note, the PGP key, as in Kritis's
 * guide) and a cosign authority (`spec.cosign`), both required by one GenericAttestationPolicy.
 */
export function writeReleasePolicies(dir: string, keys: { pgpPublicKey: string; cosignPublicKey: string }) {
  const folder = join(dir, RELEASE_NAMESPACE);
  mkdirSync(folder, { recursive: true });
  const files: Record<string, string> = {
    'release-qa.yaml': resource(
      'AttestationAuthority',
      RELEASE_NOTE.id,
      `  noteReference: projects/${RELEASE_NOTE.project}\n  publicKeyData: ${base64(keys.pgpPublicKey)}\n`,
    ),
    'release-build.yaml': resource(
      'AttestationAuthority',
      COSIGN_AUTHORITY,
      `  cosign:\n    publicKeyData: ${base64(keys.cosignPublicKey)}\n`,
    ),
    'release-policy.yaml': resource(
      'GenericAttestationPolicy',
      'signet-release',
      `  attestationAuthorityNames:\n  - ${RELEASE_NOTE.id}\n  - ${COSIGN_AUTHORITY}\n`,
    ),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return Object.keys(files).map((name) => join(RELEASE_NAMESPACE, name));
}
