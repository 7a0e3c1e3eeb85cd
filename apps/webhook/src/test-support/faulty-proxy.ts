import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode = 'pass' | 'down' | 'slow' | 'error' | 'garbage' | 'garbage-json';

/**
 * A real HTTP proxy in front of the metadata backend that can break on demand: reset connections
 * (down), answer late (slow), answer 500 (error), or answer what no Grafeas would (garbage).
 */
export class FaultyProxy {
  mode: FaultMode = 'pass';
  slowMs = 10_000;
  requests = 0;
  /** Most requests held at once (slow mode): shows lookups running in parallel. */
  peakInFlight = 0;
  private inFlight = 0;
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      this.requests += 1;
      const forward = () => {
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      };
      switch (this.mode) {
        case 'pass':
          return forward();
        case 'down':
          return req.socket.destroy();
        case 'slow': {
          this.inFlight += 1;
          this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.inFlight -= 1;
            if (!res.destroyed) forward();
          }, this.slowMs);
          this.timers.add(timer);
          return;
        }
        case 'error':
          res.writeHead(500, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { code: 500, message: 'boom', status: 'INTERNAL' } }));
        case 'garbage':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html><body>Welcome to the captive portal</body></html>');
        case 'garbage-json':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(
            JSON.stringify({
              occurrences: [{ name: 42, attestation: 'yes' }, 'nonsense'],
              nextPageToken: '',
            }),
          );
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
