import {
  type EnsureWebhookCertificatesOptions,
  ensureWebhookCertificates,
  type WebhookCertificates,
} from './ensure.js';

const HOUR_MS = 60 * 60 * 1000;
/**
 * While a webhook configuration is absent, checks come this often: one applied after start (the resolve
 * hook added later) gets its caBundle within a minute, not an hour; until then the API server cannot
 * call it, and with `failurePolicy: Fail` every reviewed Pod would be refused.
 */
export const ABSENT_CONFIG_CHECK_MS = 60 * 1000;

export interface CertificateRenewerOptions extends Omit<EnsureWebhookCertificatesOptions, 'now'> {
  /** Called when the serving certificate changed (renewed here or by another replica): reload TLS. */
  onChange: (certificates: WebhookCertificates) => void;
  /** Called when a periodic check failed; the current certificate keeps serving and the next check retries. */
  onError: (error: unknown) => void;
  /** Called when the optional webhook configurations found absent changed (the resolve hook applied or deleted). */
  onAbsentWebhookConfigsChange?: (absent: WebhookCertificates['absentWebhookConfigs']) => void;
}

export interface CertificateRenewer {
  /** Runs one check now; resolves to the new certificates when they changed, else undefined. */
  check(now?: Date): Promise<WebhookCertificates | undefined>;
  /**
   * Checks `intervalMs` (default one hour) after the previous check ended — at most
   * ABSENT_CONFIG_CHECK_MS while a webhook configuration is absent — until `stop()`; checks never
   * overlap, and the timer never keeps the process alive.
   */
  start(intervalMs?: number): void;
  /** No check starts after this; one under way makes no further API call and is awaited. */
  stop(): Promise<void>;
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
  let absentConfigs = absentKey(current);
  let timer: NodeJS.Timeout | undefined;
  const underWay = new Set<Promise<unknown>>();
  const stopping = new AbortController();
  const { onChange, onError, onAbsentWebhookConfigsChange, ...ensureOptions } = options;

  const checkOnce = async (now?: Date): Promise<WebhookCertificates | undefined> => {
    const next = await ensureWebhookCertificates({
      ...ensureOptions,
      ...(now ? { now } : {}),
      signal: stopping.signal,
    });
    if (stopping.signal.aborted) return undefined;
    if (absentKey(next) !== absentConfigs) {
      absentConfigs = absentKey(next);
      onAbsentWebhookConfigsChange?.(next.absentWebhookConfigs);
    }
    if (next.certPem === servingPem) return undefined;
    servingPem = next.certPem;
    onChange(next);
    return next;
  };

  const check = (now?: Date): Promise<WebhookCertificates | undefined> => {
    const checking = checkOnce(now);
    const settled = checking.catch(() => {});
    underWay.add(settled);
    settled.finally(() => underWay.delete(settled));
    return checking;
  };

  const schedule = (intervalMs: number) => {
    const delayMs = absentConfigs ? Math.min(intervalMs, ABSENT_CONFIG_CHECK_MS) : intervalMs;
    timer = setTimeout(() => {
      check()
        .catch((error: unknown) => {
          if (!stopping.signal.aborted) onError(error);
        })
        .finally(() => {
          if (!stopping.signal.aborted) schedule(intervalMs);
        });
    }, delayMs);
    timer.unref();
  };

  return {
    check,
    start(intervalMs = HOUR_MS) {
      if (timer || stopping.signal.aborted) return;
      schedule(intervalMs);
    },
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await Promise.all(underWay);
    },
  };
}

function absentKey(certificates: WebhookCertificates): string {
  return certificates.absentWebhookConfigs.map((config) => `${config.kind}/${config.name}`).join(',');
}
