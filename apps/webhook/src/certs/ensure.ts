import { X509Certificate } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  assessBundle,
  type CertificateBundle,
  caBundlePem,
  decodeSecretData,
  encodeSecretData,
  type StoredCertificates,
} from './bundle.js';
import { CertificateError } from './errors.js';
import { generateCertificateBundle, serviceDnsNames } from './generate.js';
import { type JsonPatchOperation, KubeCertificateApi, type WebhookConfigRef } from './kube-api.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_VALIDITY_MS = 365 * DAY_MS;
export const DEFAULT_RENEW_BEFORE_MS = 30 * DAY_MS;
/** Rounds of read-then-write before giving up; each lost round means another replica wrote meanwhile. */
const MAX_ROUNDS = 5;

export interface EnsureWebhookCertificatesOptions {
  /** Where the API server is and how to authenticate (in a pod: `kube.loadFromCluster()`). */
  kube: KubeConfig;
  /** The webhook's namespace: where its Service and the Secret live. */
  namespace: string;
  /** The Secret that holds the CA and the serving certificate (type kubernetes.io/tls). */
  secretName: string;
  /** The Service the webhook configuration points at; the certificate names `NAME.NAMESPACE.svc`. */
  serviceName: string;
  /** The ValidatingWebhookConfiguration whose webhooks get the CA as `caBundle`; it must exist. */
  webhookConfigName: string;
  /**
   * The resolve hook's MutatingWebhookConfiguration, whose webhooks get the same `caBundle` when it
   * exists. It may not: an operator can leave the resolve hook out (tags are then denied, not pinned).
   */
  mutatingWebhookConfigName?: string;
  now?: Date;
  /** Renew (new CA and certificate) when either expires within this many milliseconds. Default 30 days. */
  renewBeforeMs?: number;
  /** Lifetime of a newly generated CA and certificate. Default 365 days. */
  validityMs?: number;
  /** Once aborted, no further API call is made: the one under way ends and the call rejects. */
  signal?: AbortSignal;
}

export interface WebhookCertificates {
  certPem: string;
  keyPem: string;
  caPem: string;
  /** What was written to every webhook's `caBundle` (decoded): the CA, then the previous CA while valid. */
  caBundlePem: string;
  notAfter: Date;
  /**
   * created: this call created the Secret; adopted: another replica wrote it first, this call uses theirs;
   * renewed: this call replaced an expiring or unusable bundle; unchanged: the stored bundle was good.
   */
  outcome: 'created' | 'adopted' | 'renewed' | 'unchanged';
  /** With `renewed`: why the stored bundle could not serve on (for the log). */
  renewalReason?: string;
  /** The optional configurations (the resolve hook's) that do not exist, so got no `caBundle`. */
  absentWebhookConfigs: WebhookConfigRef[];
}

/**
 * The `--manage-certs` step: makes sure the Secret holds a usable CA and serving certificate (creating
 * or renewing them as needed, converging with other replicas through create-if-absent and
 * resourceVersion-guarded replaces) and that the webhook configuration trusts that CA.
 */
export async function ensureWebhookCertificates(
  options: EnsureWebhookCertificatesOptions,
): Promise<WebhookCertificates> {
  const settings = checkOptions(options);
  const api = new KubeCertificateApi(options.kube, options.signal);
  const { stored, outcome, renewalReason } = await settleSecret(api, settings);
  const bundlePem = caBundlePem(stored, settings.now);
  const absentWebhookConfigs = await syncCaBundles(api, options, bundlePem);
  const { bundle } = stored;
  return {
    certPem: bundle.certPem,
    keyPem: bundle.keyPem,
    caPem: bundle.caPem,
    caBundlePem: bundlePem,
    notAfter: new Date(new X509Certificate(bundle.certPem).validTo),
    outcome,
    ...(renewalReason ? { renewalReason } : {}),
    absentWebhookConfigs,
  };
}

interface Settings {
  namespace: string;
  secretName: string;
  serviceName: string;
  now: Date;
  renewBeforeMs: number;
  validityMs: number;
}

function checkOptions(options: EnsureWebhookCertificatesOptions): Settings {
  const renewBeforeMs = options.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS;
  const validityMs = options.validityMs ?? DEFAULT_VALIDITY_MS;
  const names = {
    namespace: options.namespace,
    secretName: options.secretName,
    serviceName: options.serviceName,
  };
  const configNames = {
    webhookConfigName: options.webhookConfigName,
    ...(options.mutatingWebhookConfigName === undefined
      ? {}
      : { mutatingWebhookConfigName: options.mutatingWebhookConfigName }),
  };
  for (const [option, value] of Object.entries({ ...names, ...configNames })) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value ?? '')) {
      throw new CertificateError(
        'CERTS_INVALID_OPTIONS',
        `${option} "${value}" is not a Kubernetes object name`,
        'use lowercase letters, digits, "-" and "."',
      );
    }
  }
  if (!(renewBeforeMs > 0 && validityMs > renewBeforeMs)) {
    throw new CertificateError(
      'CERTS_INVALID_OPTIONS',
      `the renewal window (${renewBeforeMs} ms) must be positive and shorter than the validity (${validityMs} ms)`,
      'choose a renewal window shorter than the certificates’ lifetime',
    );
  }
  return { ...names, now: options.now ?? new Date(), renewBeforeMs, validityMs };
}

async function settleSecret(
  api: KubeCertificateApi,
  settings: Settings,
): Promise<{ stored: StoredCertificates; outcome: WebhookCertificates['outcome']; renewalReason?: string }> {
  const { namespace, secretName } = settings;
  const dnsName = serviceDnsNames(settings.serviceName, namespace)[0] ?? '';
  let lostRace = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const existing = await api.readSecret(namespace, secretName);
    if (!existing) {
      const stored = { bundle: await generate(settings) };
      if ((await api.createSecret(namespace, secretName, encodeSecretData(stored))) === 'created') {
        return { stored, outcome: 'created' };
      }
      lostRace = true;
      continue;
    }
    const decoded = decodeSecretData(existing.data);
    const verdict = decoded.ok ? assessBundle(decoded.stored.bundle, { dnsName, ...settings }) : decoded;
    if (decoded.ok && verdict.ok) {
      return { stored: decoded.stored, outcome: lostRace ? 'adopted' : 'unchanged' };
    }
    const renewed: StoredCertificates = { bundle: await generate(settings) };
    if (decoded.ok) renewed.previousCaPem = decoded.stored.bundle.caPem;
    const data = encodeSecretData(renewed);
    if ((await api.replaceSecret(namespace, secretName, data, existing)) === 'replaced') {
      return { stored: renewed, outcome: 'renewed', renewalReason: verdict.ok ? undefined : verdict.reason };
    }
    lostRace = true;
  }
  throw new CertificateError(
    'CERTS_SECRET_CONTENDED',
    `Secret ${namespace}/${secretName} changed under every one of ${MAX_ROUNDS} attempts to settle it`,
    'check that only signet-webhook replicas write this Secret (not cert-manager or another tool) and restart the pods',
  );
}

function generate(settings: Settings): Promise<CertificateBundle> {
  return generateCertificateBundle({
    serviceName: settings.serviceName,
    namespace: settings.namespace,
    now: settings.now,
    validityMs: settings.validityMs,
  });
}

/**
 * Sets the CA bundle on the validation hook's configuration, which must exist (without it the webhook
 * is never called), then on the resolve hook's when named; returns the optional ones that are absent.
 */
async function syncCaBundles(
  api: KubeCertificateApi,
  options: EnsureWebhookCertificatesOptions,
  bundlePem: string,
): Promise<WebhookConfigRef[]> {
  const validating: WebhookConfigRef = {
    kind: 'ValidatingWebhookConfiguration',
    name: options.webhookConfigName,
  };
  if ((await syncCaBundle(api, validating, bundlePem)) === 'absent') throw webhookConfigMissing(validating);
  if (options.mutatingWebhookConfigName === undefined) return [];
  const mutating: WebhookConfigRef = {
    kind: 'MutatingWebhookConfiguration',
    name: options.mutatingWebhookConfigName,
  };
  return (await syncCaBundle(api, mutating, bundlePem)) === 'absent' ? [mutating] : [];
}

/** Sets `caBundle` on every webhook of the configuration that does not already carry it. */
async function syncCaBundle(
  api: KubeCertificateApi,
  config: WebhookConfigRef,
  bundlePem: string,
): Promise<'synced' | 'absent'> {
  const wanted = Buffer.from(bundlePem, 'utf8').toString('base64');
  const webhooks = await api.readWebhookCaBundles(config);
  if (!webhooks) return 'absent';
  const operations: JsonPatchOperation[] = webhooks.flatMap((webhook, index) =>
    webhook.caBundle === wanted
      ? []
      : [
          // The test makes the patch fail rather than land on another webhook if the list was reordered.
          { op: 'test', path: `/webhooks/${index}/name`, value: webhook.name },
          { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: wanted },
        ],
  );
  if (operations.length === 0) return 'synced';
  return (await api.patchWebhookConfiguration(config, operations)) === 'patched' ? 'synced' : 'absent';
}

function webhookConfigMissing(config: WebhookConfigRef): CertificateError {
  return new CertificateError(
    'CERTS_WEBHOOK_CONFIG_NOT_FOUND',
    `${config.kind} ${config.name} does not exist, so its caBundle cannot be set`,
    'apply deploy/webhook.yaml first, and give --webhook-config the name in its metadata.name',
  );
}
