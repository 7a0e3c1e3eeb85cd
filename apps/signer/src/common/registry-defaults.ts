/** How long a command waits for the registry to resolve a tag, unless told otherwise (no imports: the help reads it). */
export const DEFAULT_REGISTRY_TIMEOUT = '30s';
