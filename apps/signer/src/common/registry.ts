import {
  type CredentialProvider,
  createRegistryClient,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
} from '@signet/registry';
import type { CommandContext } from './command-result.js';
import { readInputFile, readInputText } from './files.js';

/** The registry flags of `signet resolve` and of every command that takes `--image`. */
export interface RegistryOptions {
  registryConfig?: string;
  registryCa?: string;
  insecureRegistry?: string[];
}

export type RegistryClient = ReturnType<typeof createRegistryClient>;

/**
 * The one registry client of the CLI: --registry-config (a Docker config.json), then Google's ADC for
 * its registries, then anonymous; --registry-ca beside the system roots; --insecure-registry over plain
 * HTTP, with a warning for each.
 */
export async function openRegistry(
  options: RegistryOptions,
  context: CommandContext,
): Promise<RegistryClient> {
  const insecure = options.insecureRegistry ?? [];
  for (const host of insecure) {
    context.progress(
      `warning: registry ${host} is spoken to over plain HTTP (--insecure-registry): its answers can be altered in transit; serve it over HTTPS and give its CA with --registry-ca`,
    );
  }
  return createRegistryClient({
    credentials: await credentials(options.registryConfig, context),
    ...(options.registryCa ? { ca: await readInputFile(options.registryCa, '--registry-ca') } : {}),
    insecureRegistries: insecure,
  });
}

/**
 * The registry client, opened on first use and then shared: a command that resolves a tag and reads
 * cosign signatures opens it (and warns of each insecure registry) once, one that needs neither never.
 */
export function registryOnDemand(
  options: RegistryOptions,
  context: CommandContext,
): () => Promise<RegistryClient> {
  let opened: Promise<RegistryClient> | undefined;
  return () => {
    opened ??= openRegistry(options, context);
    return opened;
  };
}

async function credentials(
  configFile: string | undefined,
  context: CommandContext,
): Promise<CredentialProvider> {
  const providers: CredentialProvider[] = [];
  if (configFile) {
    providers.push(dockerConfigCredentials(await readInputText(configFile, '--registry-config'), configFile));
  }
  providers.push(googleAdc(context));
  return credentialChain(...providers);
}

/**
 * Application Default Credentials for gcr.io and Artifact Registry. Without ADC the image is asked for
 * anonymously, as the kubelet does: public images still resolve, private ones fail with the registry's 401.
 */
function googleAdc(context: CommandContext): CredentialProvider {
  let auth: Promise<import('google-auth-library').GoogleAuth> | undefined;
  return googleCredentials(
    async () => {
      auth ??= import('google-auth-library').then(
        ({ GoogleAuth }) => new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform' }),
      );
      const token = await (await auth).getAccessToken(); // kept by google-auth-library until it expires
      if (!token) throw new Error('Application Default Credentials gave no access token');
      return token;
    },
    (registry, error) =>
      context.progress(
        `note: no Application Default Credentials for ${registry} (${(error as Error).message}); asking anonymously`,
      ),
  );
}
