import { z } from 'zod';
import {
  GRPC_CODE_NAMES,
  type GrafeasError,
  grafeasErrorFromStatus,
  grpcCodeForHttpStatus,
  grpcCodeForName,
} from './errors.js';

const details = z.array(z.unknown()).catch([]);

/** Google ESF: {"error": {code: <http>, message, status: "NOT_FOUND", details}}. */
const googleBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().catch(''),
    status: z.string().optional(),
    details: details.optional(),
  }),
});

/** grpc-gateway: bare google.rpc.Status {code: <grpc>, message}; v0.1.0 adds "error": "<msg>". */
const grpcGatewayBody = z.object({
  code: z.number().int(),
  message: z.string().optional(),
  error: z.string().optional(),
  details: details.optional(),
});

function parseJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function shortText(body: unknown): string {
  if (typeof body !== 'string') return '';
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Normalise an HTTP error answer from Google, OSS Grafeas (HEAD or v0.1.0), or anything else
 * (an HTML proxy page) into one GrafeasError.
 */
export function errorFromHttpAnswer(backend: string, httpStatus: number, body: unknown): GrafeasError {
  const parsed = parseJson(body);
  const google = googleBody.safeParse(parsed);
  if (google.success) {
    const e = google.data.error;
    const byName = e.status ? grpcCodeForName(e.status) : undefined;
    return grafeasErrorFromStatus(backend, {
      httpStatus,
      grpcCode: byName ?? grpcCodeForHttpStatus(httpStatus),
      message: e.message,
      details: e.details ?? [],
      answeredByGrafeas: true,
    });
  }
  const gateway = grpcGatewayBody.safeParse(parsed);
  if (gateway.success && GRPC_CODE_NAMES[gateway.data.code] !== undefined) {
    const g = gateway.data;
    return grafeasErrorFromStatus(backend, {
      httpStatus,
      grpcCode: g.code,
      message: g.message || g.error || '',
      details: g.details ?? [],
      answeredByGrafeas: true,
    });
  }
  const text = shortText(body);
  return grafeasErrorFromStatus(backend, {
    httpStatus,
    grpcCode: grpcCodeForHttpStatus(httpStatus),
    message: text ? `non-Grafeas error body: ${text}` : 'empty error body',
  });
}
