import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { TlsFiles } from '../server/tls.js';
import {
  type EnsureWebhookCertificatesOptions,
  ensureWebhookCertificates,
  type WebhookCertificates,
} from './ensure.js';
import { CertificateError } from './errors.js';
import { createCertificateRenewer } from './renewer.js';

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
  /** How often the renewer re-checks the Secret. Default one hour. */
  renewIntervalMs?: number;
}

export interface ManagedTls {
  /** Where the current certificate and key are: files the server reads and watches like --tls-cert/--tls-key. */
  files: TlsFiles;
  certificates: WebhookCertificates;
  /** Renews until `close()`; each new pair is written, then `reload` installs it (open connections stay). */
  startRenewal(reload: () => Promise<boolean>): void;
  /** Stops renewing and removes the files. */
  close(): Promise<void>;
}

/**
 * Gets the serving certificate from the Secret (creating or renewing it, patching the caBundle) and
 * writes it to a private folder, so the server serves it exactly as it serves mounted files.
 */
export async function startManagedTls(config: ManagedTlsConfig, logger: Logger): Promise<ManagedTls> {
  const options: EnsureWebhookCertificatesOptions = {
    kube: config.kube ?? kubeConfigFor(config.kubeconfig),
    namespace: config.namespace,
    secretName: config.secretName,
    serviceName: config.serviceName,
    webhookConfigName: config.webhookConfigName,
  };
  const certificates = await ensureWebhookCertificates(options);
  logger.info(
    {
      secret: `${config.namespace}/${config.secretName}`,
      outcome: certificates.outcome,
      notAfter: certificates.notAfter.toISOString(),
      ...(certificates.renewalReason ? { renewalReason: certificates.renewalReason } : {}),
    },
    'serving the certificate kept by --manage-certs',
  );
  const folder = new CertificateFolder(await mkdtemp(join(tmpdir(), 'signet-webhook-certs-')));
  try {
    await folder.write(certificates);
  } catch (error) {
    await folder.remove();
    throw error;
  }
  let renewer: ReturnType<typeof createCertificateRenewer> | undefined;
  return {
    files: folder.files,
    certificates,
    startRenewal(reload) {
      const install = async (next: WebhookCertificates) => {
        await folder.write(next);
        await reload();
        logger.info(
          { outcome: next.outcome, notAfter: next.notAfter.toISOString() },
          'serving a renewed certificate',
        );
      };
      const onError = (error: unknown) =>
        logger.warn({ err: error }, 'certificate check failed; the current certificate keeps serving');
      renewer = createCertificateRenewer(
        { ...options, onChange: (next) => void install(next).catch(onError), onError },
        certificates,
      );
      renewer.start(config.renewIntervalMs);
    },
    async close() {
      renewer?.stop();
      await folder.remove();
    },
  };
}

function kubeConfigFor(kubeconfig: string | undefined): KubeConfig {
  const kube = new KubeConfig();
  try {
    if (kubeconfig) kube.loadFromFile(kubeconfig);
    else if (process.env.KUBERNETES_SERVICE_HOST) kube.loadFromCluster();
    else throw new Error('not in a pod: KUBERNETES_SERVICE_HOST is not set');
  } catch (error) {
    throw new CertificateError(
      'CERTS_KUBE_API_FAILED',
      `cannot load the Kubernetes client configuration${kubeconfig ? ` from ${kubeconfig}` : ''} (${(error as Error).message})`,
      'run in a pod with its service account token mounted, or give --kubeconfig a readable kubeconfig file',
      { cause: error },
    );
  }
  return kube;
}

/**
 * `tls.crt` and `tls.key` are links through `..data` to one generation's folder, and `..data` is
 * replaced by a rename — as Kubernetes updates a mounted Secret — so a reader never sees a mixed pair.
 */
class CertificateFolder {
  readonly files: TlsFiles;
  private generation = 0;

  constructor(private readonly root: string) {
    this.files = { certFile: join(root, 'tls.crt'), keyFile: join(root, 'tls.key') };
  }

  async write(certificates: WebhookCertificates): Promise<void> {
    this.generation += 1;
    const name = `generation-${this.generation}`;
    await mkdir(join(this.root, name), { mode: 0o700 });
    await writeFile(join(this.root, name, 'tls.crt'), certificates.certPem, { mode: 0o600 });
    await writeFile(join(this.root, name, 'tls.key'), certificates.keyPem, { mode: 0o600 });
    await symlink(name, join(this.root, '..data_tmp'));
    await rename(join(this.root, '..data_tmp'), join(this.root, '..data'));
    if (this.generation === 1) {
      await symlink(join('..data', 'tls.crt'), this.files.certFile);
      await symlink(join('..data', 'tls.key'), this.files.keyFile);
    } else {
      // The one before stays: a reader that followed the old link just before the rename can finish.
      await rm(join(this.root, `generation-${this.generation - 2}`), { recursive: true, force: true });
    }
  }

  remove(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }
}
