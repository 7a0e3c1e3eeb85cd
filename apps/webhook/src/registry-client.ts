import { readFile } from 'node:fs/promises';
import { errorMessage } from '@signet/errors';
import {
  type CredentialProvider,
  createRegistryClient,
  credentialChain,
  dockerConfigCredentials,
  googleCredentials,
  type RegistryClient,
} from '@signet/registry';
import type { Logger } from 'pino';
import { WebhookError } from './errors.js';

/** The registry flags of `signet-webhook`, as `signet resolve` has them. */
export interface RegistrySettings {
  /** `--registry-config`: a Docker config.json (`auths`). */
  configFile?: string;
  /** `--registry-ca`: a PEM CA certificate trusted beside the system roots. */
  caFile?: string;
  /** `--insecure-registry`: `host:port` spoken to over plain HTTP. */
  insecureRegistries?: readonly string[];
  /** `--resolve-ttl`: how long a tag's digest is reused. */
  ttlMs?: number;
}

/**
 * The webhook's registry client. Credentials, after a review's own pull secrets (given per call):
 * `--registry-config`, then Google's Application Default Credentials for gcr.io, *.gcr.io and
 * *-docker.pkg.dev, then anonymous.
 */
export async function webhookRegistryClient(
  settings: RegistrySettings,
  logger: Logger,
): Promise<RegistryClient> {
  const providers: CredentialProvider[] = [];
  if (settings.configFile) {
    const text = await readSetting(settings.configFile, '--registry-config');
    providers.push(dockerConfigCredentials(text, settings.configFile));
  }
  providers.push(googleAdc(logger));
  return createRegistryClient({
    credentials: credentialChain(...providers),
    ...(settings.caFile ? { ca: await readSetting(settings.caFile, '--registry-ca') } : {}),
    insecureRegistries: settings.insecureRegistries ?? [],
    ...(settings.ttlMs !== undefined ? { ttlMs: settings.ttlMs } : {}),
  });
}

async function readSetting(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new WebhookError(
      'REGISTRY_SETTING_UNREADABLE',
      `${flag} ${file} cannot be read (${errorMessage(error)})`,
      `check the path and that the webhook may read it (mount the Secret or ConfigMap there)`,
    );
  }
}

/**
 * Application Default Credentials for Google's registries, loaded on first use (google-auth-library keeps
 * the token until it expires). Without ADC the image is asked for anonymously, as the kubelet would:
 * public images resolve, private ones fail with the registry's 401, a denial naming the fix.
 */
function googleAdc(logger: Logger): CredentialProvider {
  let auth: Promise<import('google-auth-library').GoogleAuth> | undefined;
  let warned = false;
  return googleCredentials(
    async () => {
      auth ??= import('google-auth-library').then(
        ({ GoogleAuth }) => new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform' }),
      );
      const token = await (await auth).getAccessToken();
      if (!token) throw new Error('Application Default Credentials gave no access token');
      return token;
    },
    (registry, error) => {
      if (warned) return;
      warned = true;
      logger.warn(
        { registry, err: errorMessage(error) },
        'no Application Default Credentials for Google registries; asking them anonymously',
      );
    },
  );
}
