/** Resource URLs as scanners and signers write them, and the project that holds an image's scans. */

/** `https://` + repository + `@` + digest (grafeas-api.md §5.2); any scheme or tag on the repository is dropped. */
export function resourceUrlFor(repository: string, digest: string): string {
  const bare = repository.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const withoutTag = bare.replace(/(\/[^/:@]+):[^/@]+$/, '$1');
  return `https://${withoutTag}@${digest}`;
}

const GCR_HOST = /^([a-z]+\.)?gcr\.io$/;
const ARTIFACT_REGISTRY_HOST = /^[a-z0-9-]+-docker\.pkg\.dev$/;

/**
 * The project whose occurrences hold an image's vulnerabilities (product.md "Where metadata is
 * looked up"): the registry's project for GCR and Artifact Registry — domain-scoped projects are
 * written `example.com/p` in the path and named `example.com:p` — and `fallbackProject` otherwise.
 */
export function vulnerabilityProjectFor(resourceUrl: string, fallbackProject: string): string {
  const bare = resourceUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('@')[0] ?? '';
  const [host, first, second, third] = bare.split('/');
  if (!host || !first || !second) return fallbackProject;
  if (!GCR_HOST.test(host) && !ARTIFACT_REGISTRY_HOST.test(host)) return fallbackProject;
  // gcr.io/example.com/p/image: a domain-scoped project needs one more segment for the image.
  if (first.includes('.') && third !== undefined) return `${first}:${second}`;
  return first;
}
