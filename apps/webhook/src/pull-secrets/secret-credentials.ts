import { type CredentialProvider, dockerConfigCredentials } from '@signet/registry';
import { z } from 'zod';
import { WebhookError } from '../errors.js';

/** The fields of a Secret that hold registry logins; `data` values are base64, as the API serves them. */
const SecretSchema = z.object({
  type: z.string().optional(),
  data: z.record(z.string(), z.string()).nullish(),
});

const DOCKER_CONFIG_JSON = '.dockerconfigjson';
const DOCKER_CFG = '.dockercfg';

/**
 * The registry logins of one pull secret, read as the kubelet reads them: `.dockerconfigjson` (type
 * `kubernetes.io/dockerconfigjson`, a config.json with `auths`) when present and not empty, else the
 * legacy `.dockercfg` (type `kubernetes.io/dockercfg`: the same host → login map without `auths`,
 * wrapped into one and read by the same parser). Within the Secret, the registry package's
 * `dockerConfigCredentials` picks the entry. Throws a SignetError naming `source` when the Secret holds
 * neither key or a malformed one (the kubelet ignores the first and fails the pull on the second).
 */
export function secretCredentials(secret: unknown, source: string): CredentialProvider {
  const parsed = SecretSchema.safeParse(secret);
  if (!parsed.success) throw malformed(source, `it is not a Secret: ${z.prettifyError(parsed.error)}`);
  const data = parsed.data.data ?? {};
  const configJson = decoded(data[DOCKER_CONFIG_JSON]);
  if (configJson !== undefined)
    return dockerConfigCredentials(configJson, `${source} (${DOCKER_CONFIG_JSON})`);
  const dockercfg = decoded(data[DOCKER_CFG]);
  if (dockercfg !== undefined)
    return dockerConfigCredentials(legacyAsConfigJson(dockercfg, source), `${source} (${DOCKER_CFG})`);
  const type = parsed.data.type ?? 'Opaque';
  throw malformed(
    source,
    `it holds neither ${DOCKER_CONFIG_JSON} nor ${DOCKER_CFG} (type ${type}, keys: ${Object.keys(data).join(', ') || 'none'})`,
  );
}

function decoded(base64: string | undefined): string | undefined {
  if (base64 === undefined || base64 === '') return undefined;
  const text = Buffer.from(base64, 'base64').toString('utf8');
  return text === '' ? undefined : text;
}

/** `.dockercfg`'s `{HOST: login}` as config.json's `{"auths": {HOST: login}}`. */
function legacyAsConfigJson(dockercfg: string, source: string): string {
  let logins: unknown;
  try {
    logins = JSON.parse(dockercfg);
  } catch (error) {
    throw malformed(source, `${DOCKER_CFG} is not JSON (${(error as Error).message})`);
  }
  if (typeof logins !== 'object' || logins === null || Array.isArray(logins)) {
    throw malformed(source, `${DOCKER_CFG} is not a JSON object of registry → login`);
  }
  return JSON.stringify({ auths: logins });
}

function malformed(source: string, reason: string): WebhookError {
  return new WebhookError(
    'PULL_SECRET_MALFORMED',
    `${source} cannot be read as registry credentials: ${reason}`,
    'recreate it with kubectl create secret docker-registry NAME --docker-server=HOST --docker-username=USER --docker-password=PASSWORD',
  );
}
