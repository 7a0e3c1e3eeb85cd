import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { capturedRequest, PLAIN_ALLOW } from '../test-support/reviews.js';
import { createWebhookServer } from './webhook-server.js';

describe('graceful shutdown', () => {
  it('goes not-ready, finishes the review in flight, then refuses new connections', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await createWebhookServer({
      decider: () =>
        new Promise((resolve) => {
          started();
          release = () => resolve(PLAIN_ALLOW);
        }),
      insecureHttp: true,
      port: 0,
      host: '127.0.0.1',
      logger: pino({ level: 'silent' }),
      shutdownDelayMs: 300,
    });
    const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
    const answer = fetch(`${server.url}/validate?timeout=10s`, {
      method: 'POST',
      body: JSON.stringify(review),
    });
    await inFlight;

    const closed = server.shutdown();
    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ ready: false, reasons: ['shutting down'] });

    let finished = false;
    void closed.then(() => {
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(finished).toBe(false); // still waiting for the review in flight
    release();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { response: { allowed: boolean } }).response.allowed).toBe(true);
    await closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
