/** Where the images of one registry name are fetched from. */
export interface RegistryEndpoint {
  /** The registry as image references name it: `docker.io`, `registry.example:5000`. */
  registry: string;
  /** `https://registry-1.docker.io`, `http://127.0.0.1:5000`. */
  origin: string;
}

/** Docker Hub's images are named `docker.io/…` but served by another host. */
const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_HOST = 'registry-1.docker.io';

/**
 * The endpoint of a registry name. Plain HTTP only for a registry listed in `insecureRegistries`
 * (by `host[:port]` exactly as images name it); everything else is HTTPS.
 */
export function registryEndpoint(
  registry: string,
  insecureRegistries: ReadonlySet<string>,
): RegistryEndpoint {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_HOST : registry;
  const scheme = insecureRegistries.has(registry) ? 'http' : 'https';
  return { registry, origin: `${scheme}://${host}` };
}

/** `docker.io` for Docker Hub's own host names, the name itself otherwise: how credentials are looked up. */
export function canonicalRegistryName(host: string): string {
  const lower = host.toLowerCase();
  if (lower === 'index.docker.io' || lower === DOCKER_HUB_HOST) return DOCKER_HUB;
  return lower;
}
