import { RegistryError } from './registry-error.js';

/** Reads the `errors[].code` of a Distribution API error body, when there is one. */
export function distributionErrorCodes(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] };
    return (parsed.errors ?? []).flatMap((e) => (typeof e.code === 'string' ? [e.code] : []));
  } catch {
    return [];
  }
}

/** The error for a refused login: none given (anonymous) or the one given was wrong. */
export function unauthorized(
  registry: string,
  status: number,
  anonymous: boolean,
  where: string,
): RegistryError {
  if (anonymous) {
    return new RegistryError(
      'REGISTRY_UNAUTHORIZED',
      `registry ${registry} answered ${status} to an anonymous request for ${where}: it needs credentials`,
      `give credentials for ${registry}: an imagePullSecret of the Pod or its ServiceAccount, or an entry in the registry config (--registry-config, a Docker config.json)`,
      { registry, status },
    );
  }
  return new RegistryError(
    'REGISTRY_UNAUTHORIZED',
    `registry ${registry} refused the credentials given for ${where} (HTTP ${status})`,
    `check the user and password (or token) of the pull secret or config.json entry for ${registry}; they may be wrong or expired`,
    { registry, status },
  );
}

export function denied(registry: string, status: number, where: string): RegistryError {
  return new RegistryError(
    'REGISTRY_DENIED',
    `registry ${registry} denied access to ${where} (HTTP ${status})`,
    `grant the pull secret's account read access to ${where}, or use a pull secret that has it`,
    { registry, status },
  );
}

export function badStatus(registry: string, status: number, where: string, codes: string[]): RegistryError {
  const detail = codes.length > 0 ? ` (${codes.join(', ')})` : '';
  const fix =
    status === 429
      ? 'the registry is rate-limiting this client: retry later, or log in (rate limits are higher for authenticated pulls)'
      : status >= 500
        ? 'the registry failed: retry later, and check its logs'
        : 'the registry answered outside the Distribution API: check its address and version';
  return new RegistryError(
    'REGISTRY_BAD_RESPONSE',
    `registry ${registry} answered HTTP ${status}${detail} for ${where}`,
    fix,
    { registry, status },
  );
}

/** The deadline (the caller's signal, or the client's own timeout) passed while `doing` (`resolving …`). */
export function deadlinePassed(
  registry: string,
  doing: string,
  cause: unknown,
  fix = 'check the registry is up and reachable from here; pin the image by digest to avoid the lookup',
): RegistryError {
  return new RegistryError(
    'REGISTRY_TIMEOUT',
    `registry ${registry}: ${doing} did not finish before the deadline`,
    fix,
    {
      registry,
      cause,
    },
  );
}

/** A cosign read's deadline: the image is pinned already, so only the registry's answer can help. */
export const COSIGN_DEADLINE_FIX =
  'check the registry holding the signatures is up and reachable from here; allow more time (a longer timeout) if it is only slow';
