import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { generateSelfSignedCert, type SelfSignedPair } from '@signet/guide-world';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deadline } from '../admission/deadline.js';
import type { Decider, ReviewDecision } from '../admission/decision.js';
import { httpsRequest } from '../test-support/https-client.js';
import { capturedRequest, requestOf } from '../test-support/reviews.js';
import { tempDir } from '../test-support/tmp.js';
import { createWebhookServer, type WebhookServer } from './webhook-server.js';

const allow: ReviewDecision = {
  allowed: true,
  reason: 'policy',
  message: 'ok',
  images: [],
  warnings: [],
  auditAnnotations: {},
};

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('webhook server over HTTPS', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cert: SelfSignedPair;
  let server: WebhookServer;
  const logs = logSink();
  let decide: Decider = async () => allow;
  let ready = true;

  beforeAll(async () => {
    dir = await tempDir('server');
    cert = await generateSelfSignedCert(dir.path);
    server = await createWebhookServer({
      decider: (review, deadline) => decide(review, deadline),
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      readiness: () =>
        ready ? { ready: true, reasons: [] } : { ready: false, reasons: ['policies not loaded'] },
      bodyLimitBytes: 64 * 1024,
    });
  });
  afterAll(async () => {
    await server.close();
    await dir.remove();
  });

  const post = (body: string | Buffer, query = '?timeout=10s') =>
    httpsRequest(`${server.url}/validate${query}`, { method: 'POST', body, ca: cert.certPem });

  it('answers a captured v1 review with a complete v1 AdmissionReview echoing the uid', async () => {
    decide = async () => allow;
    const { review, url } = capturedRequest('1.32', '01-Pod-CREATE.json');
    const result = await httpsRequest(`${server.url}${url}`, {
      method: 'POST',
      body: JSON.stringify(review),
      ca: cert.certPem,
    });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'ad7b2863-818c-403c-801f-d3ccb3957ee7', allowed: true },
    });
  });

  it('answers a v1beta1 review in v1beta1', async () => {
    const { review } = capturedRequest('1.24', '01-Pod-CREATE.json');
    const result = await post(JSON.stringify({ ...review, apiVersion: 'admission.k8s.io/v1beta1' }));
    expect(result.status).toBe(200);
    expect((result.json as { apiVersion: string }).apiVersion).toBe('admission.k8s.io/v1beta1');
  });

  it('answers a review and an error as JSON in UTF-8 with their exact length, as Express did', async () => {
    const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
    for (const result of [await post(JSON.stringify(review)), await post('{}')]) {
      expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(result.headers['content-length'])).toBe(Buffer.byteLength(result.text));
      expect(result.headers['x-powered-by']).toBeUndefined();
      expect(result.json).toBeDefined();
    }
  });

  it('puts a denial in status with code 403, warnings and audit annotations', async () => {
    decide = async () => ({
      allowed: false,
      reason: 'policy',
      message: 'image bad/img is not attested',
      images: ['bad/img'],
      warnings: ['w'.repeat(300)],
      auditAnnotations: { reason: 'not attested', 'bad key!': 'dropped' },
    });
    const { review } = capturedRequest('1.32', '02-Pod-CREATE.json');
    const result = await post(JSON.stringify(review));
    const response = (result.json as { response: Record<string, unknown> }).response;
    expect(response).toEqual({
      uid: '2bf29202-39b6-4615-8a9a-9904e6a6d480',
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'image bad/img is not attested' },
      warnings: [`${'w'.repeat(255)}…`],
      auditAnnotations: { reason: 'not attested' },
    });
  });

  it('denies with an explanation when deciding throws, and keeps serving', async () => {
    decide = async () => {
      throw new TypeError('boom');
    };
    const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
    const result = await post(JSON.stringify(review));
    expect(result.status).toBe(200);
    const response = (
      result.json as { response: { allowed: boolean; status: { code: number; message: string } } }
    ).response;
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(500);
    expect(response.status.message).toContain('internal error (boom)');
    decide = async () => allow;
    expect((await post(JSON.stringify(review))).status).toBe(200);
  });

  it('answers at its deadline (the API server’s timeout minus the margin) when deciding hangs', async () => {
    let decision: Deadline | undefined;
    decide = (_review, deadline) => {
      decision = deadline;
      return new Promise(() => {});
    };
    const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
    const result = await post(JSON.stringify(review), '?timeout=2s');
    const response = (
      result.json as { response: { allowed: boolean; status: { code: number; message: string } } }
    ).response;
    expect(result.status).toBe(200);
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(503);
    expect(response.status.message).toContain('within 1500 ms');
    expect(decision?.expired).toBe(true);
    decide = async () => allow;
  });

  it('refuses a body that is not JSON with 400 and a JSON error', async () => {
    const result = await post('{"apiVersion": ');
    expect(result.status).toBe(400);
    expect((result.json as { error: { code: string } }).error.code).toBe('MALFORMED_REVIEW');
  });

  it('refuses JSON that is not an AdmissionReview with 400 naming the problem', async () => {
    const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
    const broken = structuredClone(review);
    delete requestOf(broken).uid;
    const result = await post(JSON.stringify(broken));
    expect(result.status).toBe(400);
    const error = (result.json as { error: { code: string; details: string[] } }).error;
    expect(error.code).toBe('MALFORMED_REVIEW');
    expect(error.details.some((line) => line.startsWith('request.uid'))).toBe(true);
  });

  it('refuses a review of another kind or version with 400', async () => {
    const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
    for (const patch of [{ apiVersion: 'admission.k8s.io/v2' }, { kind: 'TokenReview' }]) {
      const result = await post(JSON.stringify({ ...review, ...patch }));
      expect(result.status).toBe(400);
    }
  });

  it('refuses an oversized body with 413 and a JSON error, then keeps serving', async () => {
    const result = await post(JSON.stringify({ padding: 'x'.repeat(100 * 1024) }));
    expect(result.status).toBe(413);
    expect((result.json as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
    expect((await httpsRequest(`${server.url}/healthz`, { ca: cert.certPem })).status).toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const result = await httpsRequest(`${server.url}/convert`, {
      method: 'POST',
      body: '{}',
      ca: cert.certPem,
    });
    expect(result.status).toBe(404);
    expect((result.json as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('parses POST /mutate as /validate: a malformed body is 400, a review (v1beta1 too) gets its AdmissionReview', async () => {
    const malformed = await httpsRequest(`${server.url}/mutate`, {
      method: 'POST',
      body: '{}',
      ca: cert.certPem,
    });
    expect(malformed.status).toBe(400);
    expect((malformed.json as { error: { code: string } }).error.code).toBe('MALFORMED_REVIEW');
    const review = {
      ...capturedRequest('1.32', '01-Pod-CREATE.json').review,
      apiVersion: 'admission.k8s.io/v1beta1',
    };
    const answer = await httpsRequest(`${server.url}/mutate?timeout=5s`, {
      method: 'POST',
      body: JSON.stringify(review),
      ca: cert.certPem,
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: { uid: requestOf(review).uid, allowed: true },
    });
  });

  it('reports readiness with reasons', async () => {
    ready = false;
    const notReady = await httpsRequest(`${server.url}/readyz`, { ca: cert.certPem });
    expect(notReady.status).toBe(503);
    expect(notReady.json).toEqual({ ready: false, reasons: ['policies not loaded'] });
    ready = true;
    expect((await httpsRequest(`${server.url}/readyz`, { ca: cert.certPem })).status).toBe(200);
  });

  it('exports Prometheus metrics for the decisions it made', async () => {
    const result = await httpsRequest(`${server.url}/metrics`, { ca: cert.certPem });
    expect(result.status).toBe(200);
    expect(result.text).toMatch(
      /signet_admission_decisions_total\{decision="deny",reason="internal-error"\} 1/,
    );
    expect(result.text).toMatch(/signet_admission_decisions_total\{decision="deny",reason="deadline"\} 1/);
    expect(result.text).toContain('signet_admission_stage_seconds_bucket{le="0.005",stage="total"}');
  });

  it('logs one JSON line per decision with uid, namespace, object, images, decision and duration', async () => {
    const line = logs.lines.find((l) => l.uid === '2bf29202-39b6-4615-8a9a-9904e6a6d480');
    expect(line).toMatchObject({
      namespace: 'default',
      object: 'Pod/bad',
      images: ['bad/img'],
      decision: 'deny',
      reason: 'policy',
    });
    expect(typeof line?.durationMs).toBe('number');
  });

  it('refuses TLS below 1.2', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: server.port,
        ca: cert.certPem,
        servername: 'localhost',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.on('secureConnect', () => {
        resolve(`connected ${socket.getProtocol()}`);
        socket.destroy();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).not.toMatch(/^connected/);
    const ok = await new Promise<string | null>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: server.port,
        ca: cert.certPem,
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
      });
      socket.on('secureConnect', () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(ok).toBe('TLSv1.2');
  });
});

describe('webhook server with --on-backend-error allow', () => {
  it('admits with a warning when the deadline passes', async () => {
    const server = await createWebhookServer({
      decider: () => new Promise(() => {}),
      insecureHttp: true,
      port: 0,
      host: '127.0.0.1',
      failOpen: true,
      logger: pino({ level: 'silent' }),
      deadline: { safetyMarginMs: 100 },
    });
    try {
      const { review } = capturedRequest('1.32', '01-Pod-CREATE.json');
      const response = await fetch(`${server.url}/validate?timeout=1s`, {
        method: 'POST',
        body: JSON.stringify(review),
      });
      const body = (await response.json()) as { response: { allowed: boolean; warnings: string[] } };
      expect(body.response.allowed).toBe(true);
      expect(body.response.warnings[0]).toContain('admitted because --on-backend-error=allow');
    } finally {
      await server.close();
    }
  });
});
