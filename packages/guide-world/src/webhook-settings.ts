import { GUIDE, type GuideWorld } from './guide-world.js';
import type { SelfSignedPair } from './self-signed.js';

/**
 * The guide's webhook settings, in the shape of the webhook's `startWebhook` config: the world's
 * policy folder and store, over TLS on a free loopback port. (Structural: this package does not
 * import the webhook app.)
 */
export function guideWebhookSettings(world: GuideWorld, tls: SelfSignedPair) {
  return {
    policies: { from: 'directory' as const, directory: world.policyDir },
    store: world.storeUrl,
    api: 'v1' as const,
    project: GUIDE.project,
    tls: { certFile: tls.certFile, keyFile: tls.keyFile },
    port: 0,
    host: '127.0.0.1',
    shutdownDelayMs: 0,
  };
}
