import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './run.js';

export interface PushOptions {
  /** A PEM CA that signed the registry's certificate (instead of the system's roots). */
  readonly registryCa?: string;
  /** Plain HTTP or an unverified certificate: a local registry only. */
  readonly insecure?: boolean;
  /** A Docker config.json with the registry's login, instead of skopeo's and docker's own. */
  readonly registryConfig?: string;
}

/**
 * Copies an OCI archive to `repository:tag` in a registry with skopeo, keeping the manifest byte for
 * byte (`--preserve-digests`), so that the digest printed by the build is the one the registry serves.
 * Credentials come from where skopeo and docker keep them (`skopeo login` / `docker login`).
 */
export async function pushArchive(
  archive: string,
  reference: string,
  destination: string,
  options: PushOptions,
): Promise<void> {
  const certDir = options.registryCa ? mkdtempSync(join(tmpdir(), 'signet-push-ca-')) : undefined;
  try {
    if (certDir && options.registryCa) copyFileSync(options.registryCa, join(certDir, 'ca.crt'));
    await runTool('skopeo', [
      'copy',
      '--quiet',
      '--preserve-digests',
      ...(certDir ? ['--dest-cert-dir', certDir] : []),
      ...(options.insecure ? ['--dest-tls-verify=false'] : []),
      ...(options.registryConfig ? ['--dest-authfile', options.registryConfig] : []),
      `oci-archive:${archive}:${reference}`,
      `docker://${destination}`,
    ]);
  } finally {
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }
}
