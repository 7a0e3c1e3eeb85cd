import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { README_RELEASE_POLICY, runShell } from '../../guide-commands.js';

/**
 * Where a new release runs first, guarded by the release policy. Not the webhook's own namespace: both
 * hooks exclude that one (deploy/webhook.yaml), so that a webhook that is down can still be replaced.
 */
export const RELEASE_NAMESPACE = 'signet-staging';
/** The README's cosign authority: the image's `.sig`, signed with the release cosign key. */
export const COSIGN_AUTHORITY = 'release-build';

/**
 * The README's release policy (a Grafeas authority on the release note with the PGP key, a cosign
 * authority, one GenericAttestationPolicy requiring both), made by running its very commands in
 * `keysDir` (which holds `release.key.pub` and `cosign.pub`) with `kubectl apply -f-` printing, and
 * written to `policiesDir/<namespace>/release.yaml` for `signet-webhook --policies`. Returns the file.
 */
export function writeReleasePolicies(policiesDir: string, keysDir: string): string {
  const applied = runShell(
    README_RELEASE_POLICY,
    { K8S_NAMESPACE: 'signet', GCP_PROJECT: 'unused' },
    { cwd: keysDir },
  );
  const folder = join(policiesDir, RELEASE_NAMESPACE);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'release.yaml');
  writeFileSync(file, applied.replace(/\n---\n$/, '\n'));
  return file;
}
