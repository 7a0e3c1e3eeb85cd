/**
 * One signet-webhook for the scale bench, in its own process. argv: POLICY_DIR STORE_URL API PROJECT.
 * Serves plain HTTP on loopback (TLS costs the same at every size). Reports { url } when listening,
 * answers { type: 'stats' } with its memory and backend calls, and exits on { type: 'stop' }.
 */
import { createLogger } from '../dist/server/logger.js';
import { startWebhook } from '../dist/start-webhook.js';

const [policyDir, storeUrl, api, project] = process.argv.slice(2) as string[];

const webhook = await startWebhook({
  policies: { from: 'directory', directory: policyDir as string },
  store: storeUrl as string,
  api: api === 'v1beta1' ? 'v1beta1' : 'v1',
  // An empty PROJECT: none named, the index learns projects from the Pods it reviews.
  ...(project ? { project } : {}),
  insecureHttp: true,
  port: 0,
  host: '127.0.0.1',
  shutdownDelayMs: 0,
  // Every review decides: a remembered admission would measure the memo, not the lookups.
  decisionMemo: { ttlMs: 0 },
  logger: createLogger({ dest: '/dev/null' }),
});

process.send?.({ url: webhook.url });
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    // maxRSS: the peak over the process's life (the index's fills included), in KiB.
    process.send?.({ rss, heapUsed, peakRss: process.resourceUsage().maxRSS * 1024 });
  }
  if (message.type === 'stop') process.exit(0);
});
