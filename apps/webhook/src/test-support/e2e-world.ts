import { createHash } from 'node:crypto';
import type { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';
import {
  type GuideWorld,
  generateSelfSignedCert,
  guideWebhookSettings,
  prepareGuide,
  type SelfSignedPair,
  signImage,
} from '@signet/guide-world';
import type { Logger } from 'pino';
import pino from 'pino';
import { type RunningWebhook, startWebhook, type WebhookConfig } from '../start-webhook.js';
import { type HttpResult, httpsRequest } from './https-client.js';
import { tempDir } from './tmp.js';

export interface E2eWorld {
  guide: GuideWorld;
  /** The guide emulator's embedded store: another flavour of emulator can serve the same data. */
  emulatorStore: SqliteMetadataStore;
  cert: SelfSignedPair;
  dir: string;
  /** Maps the captured placeholders (ok/img, bad/x…) to pinned images; `ok` ones are signed. */
  imageFor(placeholder: string): string;
  sign(image: string): Promise<void>;
  startWebhook(config?: Partial<WebhookConfig>): Promise<RunningWebhook>;
  post(webhook: RunningWebhook, review: unknown, query?: string): Promise<HttpResult>;
  close(): Promise<void>;
}

/** A pinned image for a name, with a digest derived from it (stable across runs). */
export function pinned(name: string): string {
  return `registry.example/e2e/${name.replace(/[^a-z0-9]+/g, '-')}@sha256:${createHash('sha256').update(name).digest('hex')}`;
}

/** The guide's webhook over TLS on a free loopback port, logging to `logger`. */
export function guideWebhookConfig(world: GuideWorld, tls: SelfSignedPair, logger: Logger): WebhookConfig {
  return { ...guideWebhookSettings(world, tls), logger };
}

export async function createE2eWorld(): Promise<E2eWorld> {
  const tmp = await tempDir('e2e');
  let emulator: RunningEmulator | undefined;
  const guide = await prepareGuide(tmp.path, async (options) => {
    emulator = await startEmulator(options);
    return emulator;
  });
  const emulatorStore = (emulator as RunningEmulator).store;
  const cert = await generateSelfSignedCert(tmp.path);
  const signed = new Set<string>();
  const webhooks: RunningWebhook[] = [];
  const sign = async (image: string) => {
    if (signed.has(image)) return;
    await signImage(guide.store, image, guide.privateKey, guide.fingerprint);
    signed.add(image);
  };
  for (const placeholder of ['ok/img', 'ok/c', 'ok/debug', 'registry.example/ok'])
    await sign(pinned(placeholder));
  return {
    guide,
    emulatorStore,
    cert,
    dir: tmp.path,
    imageFor(placeholder) {
      if (placeholder.includes(':') && !placeholder.includes('@')) return placeholder; // tag-only stays tag-only
      return pinned(placeholder.split('@')[0] as string);
    },
    sign,
    async startWebhook(config = {}) {
      const webhook = await startWebhook({
        ...guideWebhookConfig(guide, cert, pino({ level: 'silent' })),
        ...config,
      });
      webhooks.push(webhook);
      return webhook;
    },
    post(webhook, review, query = '?timeout=10s') {
      return httpsRequest(`${webhook.url}/validate${query}`, {
        method: 'POST',
        body: JSON.stringify(review),
        ca: cert.certPem,
      });
    },
    async close() {
      for (const webhook of webhooks) await webhook.stop();
      await guide.close();
      await tmp.remove();
    },
  };
}
