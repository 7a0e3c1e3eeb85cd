import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { loadKubeConfig } from '../policies/kubernetes-policy-source.js';
import {
  type EnsureWebhookCertificatesOptions,
  ensureWebhookCertificates,
  type WebhookCertificates,
} from './ensure.js';
import { CertificateError } from './errors.js';
import type { WebhookConfigRef } from './kube-api.js';
import { createCertificateRenewer } from './renewer.js';
import type { TlsMaterial } from './tls.js';

/** What `--manage-certs` needs to find the API server and the objects it keeps. */
export interface ManagedTlsConfig {
  /** A kubeconfig file; without it (and without `kube`), the in-cluster service account. */
  kubeconfig?: string;
  /** Or a ready KubeConfig (tests). */
  kube?: KubeConfig;
  namespace: string;
  secretName: string;
  serviceName: string;
  webhookConfigName: string;
  /** The resolve hook's MutatingWebhookConfiguration: gets the caBundle too when it exists. */
  mutatingWebhookConfigName?: string;
  /** How often the renewer re-checks the Secret. Default one hour. */
  renewIntervalMs?: number;
}

export interface ManagedTls {
  /** The current certificate and key, PEM, for the server's `tls`. */
  tls: TlsMaterial;
  /** Renews until `close()`; each new pair goes to `install` (new connections get it, open ones stay). */
  startRenewal(install: (tls: TlsMaterial) => void): void;
  /** Stops renewing. */
  close(): Promise<void>;
}

/** Gets the serving certificate from the Secret (creating or renewing it, patching the caBundle). */
export async function startManagedTls(config: ManagedTlsConfig, logger: Logger): Promise<ManagedTls> {
  const options: EnsureWebhookCertificatesOptions = {
    kube: config.kube ?? kubeConfigFor(config.kubeconfig),
    namespace: config.namespace,
    secretName: config.secretName,
    serviceName: config.serviceName,
    webhookConfigName: config.webhookConfigName,
    ...(config.mutatingWebhookConfigName
      ? { mutatingWebhookConfigName: config.mutatingWebhookConfigName }
      : {}),
  };
  const certificates = await ensureWebhookCertificates(options);
  logAbsentConfigs(certificates.absentWebhookConfigs, logger);
  logger.info(
    {
      secret: `${config.namespace}/${config.secretName}`,
      outcome: certificates.outcome,
      notAfter: certificates.notAfter.toISOString(),
      ...(certificates.renewalReason ? { renewalReason: certificates.renewalReason } : {}),
    },
    'serving the certificate kept by --manage-certs',
  );
  let renewer: ReturnType<typeof createCertificateRenewer> | undefined;
  return {
    tls: pemOf(certificates),
    startRenewal(install) {
      const onError = (error: unknown) =>
        logger.warn({ err: error }, 'certificate check failed; the current certificate keeps serving');
      const onChange = (next: WebhookCertificates) => {
        try {
          install(pemOf(next));
        } catch (error) {
          onError(error);
          return;
        }
        logger.info(
          { outcome: next.outcome, notAfter: next.notAfter.toISOString() },
          'serving a renewed certificate',
        );
      };
      const onAbsentWebhookConfigsChange = (absent: WebhookConfigRef[]) => {
        if (absent.length > 0) logAbsentConfigs(absent, logger);
        else logger.info('every webhook configuration now exists and carries the caBundle');
      };
      renewer = createCertificateRenewer(
        { ...options, onChange, onError, onAbsentWebhookConfigsChange },
        certificates,
      );
      renewer.start(config.renewIntervalMs);
    },
    async close() {
      await renewer?.stop();
    },
  };
}

/**
 * A resolve hook left out is a choice an operator may make (tags are then denied, not pinned), so the
 * webhook goes on; the log says so, in case it was meant to be there. While it is absent the renewer
 * checks every minute (ABSENT_CONFIG_CHECK_MS) and patches it once it exists.
 */
function logAbsentConfigs(absent: WebhookConfigRef[], logger: Logger): void {
  for (const config of absent) {
    logger.warn(
      { webhookConfig: `${config.kind} ${config.name}` },
      `${config.kind} ${config.name} does not exist, so no caBundle was set on it: the resolve hook is not installed ` +
        'and images named by tag are denied, not pinned. To install it, apply deploy/resolve-webhook.yaml, then ' +
        'it gets its caBundle within a minute (the webhook checks every minute while it is absent)',
    );
  }
}

function pemOf(certificates: WebhookCertificates): TlsMaterial {
  return { cert: certificates.certPem, key: certificates.keyPem };
}

function kubeConfigFor(kubeconfig: string | undefined): KubeConfig {
  try {
    if (!kubeconfig && !process.env.KUBERNETES_SERVICE_HOST) {
      throw new Error('not in a pod: KUBERNETES_SERVICE_HOST is not set');
    }
    return loadKubeConfig(kubeconfig);
  } catch (error) {
    throw new CertificateError(
      'CERTS_KUBE_API_FAILED',
      `cannot load the Kubernetes client configuration${kubeconfig ? ` from ${kubeconfig}` : ''} (${(error as Error).message})`,
      'run in a pod with its service account token mounted, or give --kubeconfig a readable kubeconfig file',
      { cause: error },
    );
  }
}
