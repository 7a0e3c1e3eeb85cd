import {
  type EnsureWebhookCertificatesOptions,
  ensureWebhookCertificates,
  type WebhookCertificates,
} from './ensure.js';

const HOUR_MS = 60 * 60 * 1000;

export interface CertificateRenewerOptions extends Omit<EnsureWebhookCertificatesOptions, 'now'> {
  /** Called when the serving certificate changed (renewed here or by another replica): reload TLS. */
  onChange: (certificates: WebhookCertificates) => void;
  /** Called when a periodic check failed; the current certificate keeps serving and the next check retries. */
  onError: (error: unknown) => void;
}

export interface CertificateRenewer {
  /** Runs one check now; resolves to the new certificates when they changed, else undefined. */
  check(now?: Date): Promise<WebhookCertificates | undefined>;
  /** Checks every `intervalMs` (default one hour) until `stop()`; the timer never keeps the process alive. */
  start(intervalMs?: number): void;
  stop(): void;
}

/**
 * Keeps a running webhook's certificate fresh: each check re-runs `ensureWebhookCertificates`, so a
 * replica picks up a bundle another replica renewed as well as renewing one itself.
 */
export function createCertificateRenewer(
  options: CertificateRenewerOptions,
  current: WebhookCertificates,
): CertificateRenewer {
  let servingPem = current.certPem;
  let timer: NodeJS.Timeout | undefined;
  const { onChange, onError, ...ensureOptions } = options;

  const check = async (now?: Date): Promise<WebhookCertificates | undefined> => {
    const next = await ensureWebhookCertificates({ ...ensureOptions, ...(now ? { now } : {}) });
    if (next.certPem === servingPem) return undefined;
    servingPem = next.certPem;
    onChange(next);
    return next;
  };

  return {
    check,
    start(intervalMs = HOUR_MS) {
      if (timer) return;
      timer = setInterval(() => {
        check().catch(onError);
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
