import {
  type CredentialProvider,
  createRegistryClient,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
} from '@signet/registry';
import type { CommandAction, CommandContext } from '../common/command-result.js';
import { parseDuration } from '../common/duration.js';
import { ExitCode } from '../common/exit-codes.js';
import { readInputFile, readInputText } from '../common/files.js';

export interface ResolveOptions {
  images: string[];
  registryConfig?: string;
  registryCa?: string;
  insecureRegistry?: string[];
  timeout: string;
}

/** `signet resolve IMAGE…`: each image pinned by the digest its registry serves, one per line. */
export const run: CommandAction<ResolveOptions> = async (options, context) => {
  const insecure = options.insecureRegistry ?? [];
  for (const host of insecure) {
    context.progress(
      `warning: registry ${host} is spoken to over plain HTTP (--insecure-registry): its answers can be altered in transit; serve it over HTTPS and give its CA with --registry-ca`,
    );
  }
  const client = createRegistryClient({
    credentials: await credentials(options.registryConfig, context),
    ...(options.registryCa ? { ca: await readInputFile(options.registryCa, '--registry-ca') } : {}),
    insecureRegistries: insecure,
  });
  const signal = AbortSignal.timeout(parseDuration(options.timeout, '--timeout'));
  const resolved = [];
  for (const image of options.images) resolved.push(await client.resolve(image, { signal }));
  return {
    exitCode: ExitCode.ok,
    text: resolved.map((r) => `${r.pinned}\n`).join(''),
    json: resolved.map((r, i) => ({
      image: options.images[i],
      pinned: r.pinned,
      digest: r.digest,
      mediaType: r.mediaType ?? null,
    })),
  };
};

/** --registry-config (a Docker config.json), then Google's ADC for its registries, then anonymous. */
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
  const google = googleCredentials(async () => {
    auth ??= import('google-auth-library').then(
      ({ GoogleAuth }) => new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform' }),
    );
    const token = await (await auth).getAccessToken(); // kept by google-auth-library until it expires
    if (!token) throw new Error('Application Default Credentials gave no access token');
    return token;
  });
  return async (request) => {
    try {
      return await google(request);
    } catch (error) {
      context.progress(
        `note: no Application Default Credentials for ${request.registry} (${(error as Error).message}); asking anonymously`,
      );
      return undefined;
    }
  };
}
