import { Agent } from 'node:https';
import { call } from './http.js';

/**
 * Latency at a steady rate, as an API server sends reviews: one request every 1000/rate ms, over
 * connections opened beforehand and kept (open loop: a slow answer does not delay the next request).
 * autocannon's `overallRate` is not that: each connection sends its share of a second back to back at
 * the start of every second, so its "p99 at 500 req/s" was the tail of a burst of 32 concurrent
 * requests, which measures CPU per request again, not latency at that rate.
 * Each latency runs from when the request was due, not when it was sent, so a lagging client counts
 * against the result (no coordinated omission).
 */
export async function pacedLatency(options: {
  url: string;
  body: string;
  rate: number;
  durationS: number;
  connections: number;
}): Promise<{ p50: number; p99: number; failed: number; sent: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, rejectUnauthorized: false });
  try {
    const post = async () => (await call(options.url, 'POST', options.body, agent)).status === 200;
    // Open the connections (TLS handshakes) and warm the server's path before measuring.
    await Promise.all(Array.from({ length: options.connections * 2 }, post));
    const total = Math.round(options.rate * options.durationS);
    const intervalMs = 1000 / options.rate;
    const latencies: number[] = [];
    let failed = 0;
    const pending: Promise<void>[] = [];
    const start = performance.now();
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        for (; next < total && start + next * intervalMs <= now; next += 1) {
          const due = start + next * intervalMs;
          pending.push(
            post().then(
              (ok) => {
                if (ok) latencies.push(performance.now() - due);
                else failed += 1;
              },
              () => {
                failed += 1;
              },
            ),
          );
        }
        if (next >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    await Promise.all(pending);
    latencies.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      failed,
      sent: total,
    };
  } finally {
    agent.destroy();
  }
}

function percentile(sorted: number[], fraction: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
  return value === undefined ? Number.NaN : Math.round(value * 10) / 10;
}
