import { readFileSync } from 'node:fs';
import { CertificateError } from './errors.js';

/** Where Kubernetes mounts the pod's service account, including its namespace. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * The namespace the webhook runs in: `POD_NAMESPACE` (set from the downward API in
 * deploy/manage-certs), else the service account's namespace file that every pod has.
 */
export function podNamespace(
  env: NodeJS.ProcessEnv = process.env,
  file = SERVICE_ACCOUNT_NAMESPACE_FILE,
): string {
  const fromEnv = env.POD_NAMESPACE?.trim();
  if (fromEnv) return fromEnv;
  try {
    const fromFile = readFileSync(file, 'utf8').trim();
    if (fromFile) return fromFile;
  } catch {
    // Not in a pod, or no service account token mounted: reported below.
  }
  throw new CertificateError(
    'CERTS_INVALID_OPTIONS',
    `cannot tell which namespace the webhook runs in: POD_NAMESPACE is not set and ${file} is not readable`,
    'set POD_NAMESPACE (deploy/manage-certs sets it from metadata.namespace) or run with a service account token mounted',
  );
}
