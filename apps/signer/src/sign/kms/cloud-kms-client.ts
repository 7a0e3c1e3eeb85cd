import { errorMessage } from '@signet/errors';
import type { PkixHash } from '@signet/signing';
import { decodeBase64 } from '@signet/signing';
import { z } from 'zod';
import { backendError, type CliError, usageError } from '../../common/cli-error.js';

const CLOUD_KMS_ROOT_URL = 'https://cloudkms.googleapis.com/';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const TIMEOUT_MS = 30_000;

type Method = (
  params: Record<string, unknown>,
  options: Record<string, unknown>,
) => Promise<{ data: unknown }>;

/** The part of the generated Cloud KMS v1 client Signet calls. */
interface KeyVersions {
  getPublicKey: Method;
  asymmetricSign: Method;
}

const publicKeyAnswer = z.looseObject({
  pem: z.string().min(1),
  algorithm: z.string().min(1),
  name: z.string(),
});
const signAnswer = z.looseObject({ signature: z.string().min(1), name: z.string().optional() });

export interface KmsPublicKey {
  pem: string;
  /** The Cloud KMS algorithm name, e.g. EC_SIGN_P256_SHA256. */
  algorithm: string;
}

export interface CloudKmsClientOptions {
  /** Default https://cloudkms.googleapis.com/. A path prefix is kept. */
  rootUrl?: string;
  /** `adc`: Application Default Credentials; `none`: unauthenticated (loopback stubs). */
  credentials?: 'adc' | 'none';
}

/** Cloud KMS `getPublicKey` and `asymmetricSign` through googleapis' per-API client, loaded on first use. */
export class CloudKmsClient {
  private readonly rootUrl: string;
  private readonly credentials: 'adc' | 'none';
  private versions: Promise<KeyVersions> | undefined;

  constructor(options: CloudKmsClientOptions = {}) {
    this.rootUrl = kmsRootUrl(options.rootUrl ?? CLOUD_KMS_ROOT_URL);
    this.credentials = options.credentials ?? (isLoopback(this.rootUrl) ? 'none' : 'adc');
  }

  async getPublicKey(name: string): Promise<KmsPublicKey> {
    const data = await this.call('getPublicKey', name, (v, o) => v.getPublicKey({ name }, o));
    const answer = publicKeyAnswer.safeParse(data);
    if (!answer.success) throw this.badAnswer('getPublicKey', name, 'no pem and algorithm');
    return { pem: answer.data.pem, algorithm: answer.data.algorithm };
  }

  /** Signs a digest made with `hash`; the digest travels URL-safe base64 with padding, as gcloud sends it. */
  async asymmetricSign(name: string, hash: PkixHash, digest: Uint8Array): Promise<Uint8Array> {
    const urlSafe = Buffer.from(digest).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    const requestBody = { digest: { [hash]: urlSafe } };
    const data = await this.call('asymmetricSign', name, (v, o) =>
      v.asymmetricSign({ name, requestBody }, o),
    );
    const answer = signAnswer.safeParse(data);
    if (!answer.success) throw this.badAnswer('asymmetricSign', name, 'no signature');
    if (answer.data.name !== undefined && answer.data.name !== name) {
      throw this.badAnswer('asymmetricSign', name, `it signed with ${answer.data.name}`);
    }
    const signature = decodeBase64(answer.data.signature);
    if (!signature) throw this.badAnswer('asymmetricSign', name, 'the signature is not base64');
    return signature;
  }

  private async call(
    method: string,
    name: string,
    invoke: (versions: KeyVersions, options: Record<string, unknown>) => Promise<{ data: unknown }>,
  ): Promise<unknown> {
    const versions = await this.keyVersions();
    try {
      return (await invoke(versions, { rootUrl: this.rootUrl, retry: false, timeout: TIMEOUT_MS })).data;
    } catch (error) {
      throw kmsFailure(error, method, name, this.rootUrl);
    }
  }

  private keyVersions(): Promise<KeyVersions> {
    this.versions ??= (async () => {
      // Per-API module only: the googleapis entry point would load every Google API.
      const { cloudkms_v1 } = await import('googleapis/build/src/apis/cloudkms/v1.js');
      const auth = this.credentials === 'adc' ? await adc() : undefined;
      const client = new cloudkms_v1.Cloudkms({ retry: false, ...(auth ? { auth } : {}) } as never);
      return client.projects.locations.keyRings.cryptoKeys.cryptoKeyVersions as unknown as KeyVersions;
    })();
    return this.versions;
  }

  private badAnswer(method: string, name: string, why: string): CliError {
    return backendError(
      'KMS_BAD_RESPONSE',
      `Cloud KMS at ${this.rootUrl} answered ${method} for ${name} with something unusable: ${why}`,
      'check that --kms-endpoint (or SIGNET_KMS_ENDPOINT) names a Cloud KMS API, or unset it to use Google',
    );
  }
}

async function adc(): Promise<unknown> {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ scopes: SCOPE });
}

/** An http(s) URL ending in `/`; anything else is a usage error. */
function kmsRootUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badEndpoint(raw, 'it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badEndpoint(raw, 'it must be http(s)');
  if (url.search || url.hash) throw badEndpoint(raw, 'it must not carry a query or fragment');
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

function badEndpoint(raw: string, why: string): CliError {
  return usageError(
    'KMS_ENDPOINT_INVALID',
    `--kms-endpoint ${JSON.stringify(raw)} is not usable: ${why}`,
    'give the root URL of the Cloud KMS API, e.g. https://cloudkms.googleapis.com/ (the default) or http://127.0.0.1:8090/',
  );
}

function isLoopback(rootUrl: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(rootUrl).hostname);
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string };
}

/** What went wrong, in the user's terms, with the fix for each Google status. */
function kmsFailure(error: unknown, method: string, name: string, rootUrl: string): CliError {
  const e = error as {
    response?: { status?: number; data?: unknown };
    code?: unknown;
    cause?: { code?: string };
  };
  const status = e.response?.status;
  if (status === undefined) {
    const message = errorMessage(error);
    if (/default credentials|Unable to detect a Project Id|invalid_grant|invalid_rapt/i.test(message)) {
      return backendError(
        'KMS_UNAUTHENTICATED',
        `no usable Google credentials to call Cloud KMS: ${message}`,
        'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file (on GKE, use Workload Identity)',
      );
    }
    const code = e.cause?.code ?? (typeof e.code === 'string' ? e.code : message);
    return backendError(
      'KMS_UNAVAILABLE',
      `cannot reach Cloud KMS at ${rootUrl} (${method}): ${code}`,
      'check the network and --kms-endpoint / SIGNET_KMS_ENDPOINT, then sign again',
    );
  }
  const body = (e.response?.data ?? {}) as GoogleErrorBody;
  const googleStatus = body.error?.status ?? '';
  const said = `Cloud KMS ${method} for ${name} failed: HTTP ${status}${googleStatus ? ` ${googleStatus}` : ''}: ${body.error?.message ?? 'no message'}`;
  if (status === 404) {
    return usageError(
      'KMS_KEY_NOT_FOUND',
      said,
      'check the key version name (`gcloud kms keys versions list --key KEY --keyring RING --location LOCATION --project PROJECT`)',
    );
  }
  if (status === 401) {
    return backendError(
      'KMS_UNAUTHENTICATED',
      said,
      'refresh your credentials: `gcloud auth application-default login`, or check GOOGLE_APPLICATION_CREDENTIALS',
    );
  }
  if (status === 403) {
    return backendError(
      'KMS_PERMISSION_DENIED',
      said,
      'grant the signing identity roles/cloudkms.signerVerifier on the key (it needs cloudkms.cryptoKeyVersions.viewPublicKey and useToSign)',
    );
  }
  if (googleStatus === 'FAILED_PRECONDITION') {
    return usageError(
      'KMS_KEY_VERSION_UNUSABLE',
      said,
      'the key version must be ENABLED and an asymmetric signing key: check it with `gcloud kms keys versions describe`',
    );
  }
  return backendError(
    'KMS_ERROR',
    said,
    'read the Cloud KMS message above; retry if it was transient (5xx, 429)',
  );
}
