import { describe, expect, it } from 'vitest';
import { errorFromHttpAnswer } from './error-body.js';

const B = 'http://127.0.0.1:9';

describe('the three error-body forms normalise to one GrafeasError', () => {
  it('Google {"error": {code, message, status, details}}', () => {
    const e = errorFromHttpAnswer(B, 404, {
      error: { code: 404, message: 'note not found', status: 'NOT_FOUND', details: [{ '@type': 'x' }] },
    });
    expect(e).toMatchObject({
      code: 'GRAFEAS_NOT_FOUND',
      httpStatus: 404,
      grpcCode: 5,
      statusName: 'NOT_FOUND',
      details: [{ '@type': 'x' }],
      backend: B,
    });
    expect(e.message).toContain(B);
    expect(e.message).toContain('note not found');
    expect(e.fix.length).toBeGreaterThan(0);
  });

  it('OSS HEAD bare google.rpc.Status with a gRPC code (JSON text)', () => {
    const e = errorFromHttpAnswer(
      B,
      409,
      '{"code": 6, "message": "Note with name \\"projects/p/notes/n\\" already exists"}',
    );
    expect(e).toMatchObject({
      code: 'GRAFEAS_ALREADY_EXISTS',
      httpStatus: 409,
      grpcCode: 6,
      statusName: 'ALREADY_EXISTS',
    });
  });

  it('OSS v0.1.0 {"error": "<msg>", "message", "code", "details": []}', () => {
    const e = errorFromHttpAnswer(B, 400, {
      error: 'bad',
      message: 'occurrence is invalid',
      code: 3,
      details: [],
    });
    expect(e).toMatchObject({
      code: 'GRAFEAS_INVALID_ARGUMENT',
      grpcCode: 3,
      statusName: 'INVALID_ARGUMENT',
    });
    expect(e.message).toContain('occurrence is invalid');
  });

  it('falls back to the HTTP status for HTML and empty bodies', () => {
    expect(errorFromHttpAnswer(B, 503, '<html>upstream down</html>')).toMatchObject({
      code: 'GRAFEAS_UNAVAILABLE',
      grpcCode: 14,
      retryable: true,
    });
    expect(errorFromHttpAnswer(B, 502, '')).toMatchObject({ code: 'GRAFEAS_SERVER_ERROR', retryable: true });
    expect(errorFromHttpAnswer(B, 404, 'Not Found')).toMatchObject({ code: 'GRAFEAS_NOT_FOUND' });
    expect(errorFromHttpAnswer(B, 401, 'no')).toMatchObject({
      code: 'GRAFEAS_UNAUTHENTICATED',
      retryable: false,
    });
    expect(errorFromHttpAnswer(B, 429, '')).toMatchObject({
      code: 'GRAFEAS_RESOURCE_EXHAUSTED',
      retryable: true,
    });
  });
});
