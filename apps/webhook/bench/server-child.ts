/**
 * One server under test, in its own process so that the load generator does not share its event loop.
 * argv: KIND CERT KEY [POLICY_DIR STORE_URL PROJECT [INSECURE_REGISTRY]]. KIND `signet-no-memo` decides every
 * review (no decision memo; cosign.bench.ts). Reports { url } when listening, answers
 * { type: 'stats' } with memory and cache figures, and exits on { type: 'stop' }.
 * The webhook is the built one (dist/, as `signet-webhook` runs it; the bench scripts build it first):
 * run from src/ through tsx, every closure of a review also pays esbuild's `__name` helper.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createLogger } from '../dist/server/logger.js';
import { startWebhook } from '../dist/start-webhook.js';

const [kind, certFile, keyFile, policyDir, storeUrl, project, insecureRegistry] = process.argv.slice(
  2,
) as string[];
const tls = {
  cert: readFileSync(certFile as string),
  key: readFileSync(keyFile as string),
  minVersion: 'TLSv1.2' as const,
};

function fixedAllow(review: { apiVersion?: string; request?: { uid?: string } }) {
  return {
    apiVersion: review.apiVersion,
    kind: 'AdmissionReview',
    response: { uid: review.request?.uid, allowed: true },
  };
}

async function start(): Promise<{ url: string; stats: () => Record<string, unknown> }> {
  if (kind === 'node-https') {
    const server = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.stringify(fixedAllow(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, stats: () => ({}) };
  }
  if (kind === 'express') {
    const app = express();
    app.post('/validate', express.json({ limit: '3mb' }), (req, res) => {
      res.json(fixedAllow(req.body));
    });
    const server = createServer(tls, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, stats: () => ({}) };
  }
  const webhook = await startWebhook({
    policies: { from: 'directory', directory: policyDir as string },
    store: storeUrl as string,
    api: 'v1',
    project: project as string,
    tls: { certFile: certFile as string, keyFile: keyFile as string },
    port: 0,
    host: '127.0.0.1',
    shutdownDelayMs: 0,
    // resolve.bench.ts: POST /mutate resolves tags on a plain-HTTP registry on loopback.
    ...(insecureRegistry ? { resolve: { registry: { insecureRegistries: [insecureRegistry] } } } : {}),
    // A remembered admission would measure the memo, not the authority's lookups and verification.
    ...(kind === 'signet-no-memo' ? { decisionMemo: { ttlMs: 0 } } : {}),
    // Logs are part of the cost, written as in production (async): admissions at debug, so
    // `signet-log-all` (level debug) writes one JSON line per decision, as before issue 21.
    logger: createLogger({ dest: '/dev/null', level: kind === 'signet-log-all' ? 'debug' : 'info' }),
  });
  return {
    url: webhook.url,
    stats: () => ('sizes' in webhook.metadata ? { ...webhook.metadata.sizes } : {}),
  };
}

const server = await start();
process.send?.({ url: server.url });
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    process.send?.({
      rss: process.memoryUsage().rss,
      heapUsed: process.memoryUsage().heapUsed,
      external: process.memoryUsage().external,
      cpuMicros: cpu.user + cpu.system,
      ...server.stats(),
    });
  }
  if (message.type === 'stop') process.exit(0);
});
