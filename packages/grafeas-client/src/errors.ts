import { SignetError } from '@signet/errors';

/** google.rpc.Code names by number. */
export const GRPC_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

const GRPC_CODE_BY_NAME: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GRPC_CODE_NAMES).map(([code, name]) => [name, Number(code)]),
);

/** The standard gRPC -> HTTP status map (grpc-gateway). */
const HTTP_BY_GRPC: Readonly<Record<number, number>> = {
  0: 200,
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

export function grpcCodeForName(name: string): number | undefined {
  return GRPC_CODE_BY_NAME[name];
}

export function httpStatusForGrpc(code: number): number {
  return HTTP_BY_GRPC[code] ?? 500;
}

/** The gRPC code a bare HTTP status stands for (when the body says nothing). */
export function grpcCodeForHttpStatus(status: number): number {
  if (status === 400) return 3;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return 5;
  if (status === 409) return 6;
  if (status === 413) return 3;
  if (status === 429) return 8;
  if (status === 499) return 1;
  if (status === 501) return 12;
  if (status === 503) return 14;
  if (status === 504) return 4;
  if (status >= 500) return 13;
  if (status >= 400) return 9;
  return 2;
}

export type GrafeasErrorCode =
  | 'GRAFEAS_NOT_FOUND'
  | 'GRAFEAS_ALREADY_EXISTS'
  | 'GRAFEAS_INVALID_ARGUMENT'
  | 'GRAFEAS_PERMISSION_DENIED'
  | 'GRAFEAS_UNAUTHENTICATED'
  | 'GRAFEAS_RESOURCE_EXHAUSTED'
  | 'GRAFEAS_UNIMPLEMENTED'
  | 'GRAFEAS_SERVER_ERROR'
  | 'GRAFEAS_UNAVAILABLE'
  | 'GRAFEAS_DEADLINE_EXCEEDED'
  | 'GRAFEAS_CANCELLED'
  | 'GRAFEAS_BAD_RESPONSE'
  | 'GRAFEAS_LIST_TOO_LONG'
  | 'GRAFEAS_BAD_STORE_URL'
  | 'GRAFEAS_UNSUPPORTED_KIND';

const CODE_BY_STATUS_NAME: Readonly<Record<string, GrafeasErrorCode>> = {
  CANCELLED: 'GRAFEAS_CANCELLED',
  INVALID_ARGUMENT: 'GRAFEAS_INVALID_ARGUMENT',
  FAILED_PRECONDITION: 'GRAFEAS_INVALID_ARGUMENT',
  OUT_OF_RANGE: 'GRAFEAS_INVALID_ARGUMENT',
  DEADLINE_EXCEEDED: 'GRAFEAS_DEADLINE_EXCEEDED',
  NOT_FOUND: 'GRAFEAS_NOT_FOUND',
  ALREADY_EXISTS: 'GRAFEAS_ALREADY_EXISTS',
  ABORTED: 'GRAFEAS_UNAVAILABLE',
  PERMISSION_DENIED: 'GRAFEAS_PERMISSION_DENIED',
  UNAUTHENTICATED: 'GRAFEAS_UNAUTHENTICATED',
  RESOURCE_EXHAUSTED: 'GRAFEAS_RESOURCE_EXHAUSTED',
  UNIMPLEMENTED: 'GRAFEAS_UNIMPLEMENTED',
  UNAVAILABLE: 'GRAFEAS_UNAVAILABLE',
};

const FIX_BY_CODE: Readonly<Record<GrafeasErrorCode, string>> = {
  GRAFEAS_NOT_FOUND: 'check the project, note or occurrence name (and that it was created in this backend)',
  GRAFEAS_ALREADY_EXISTS: 'use the existing resource, or choose another id',
  GRAFEAS_INVALID_ARGUMENT: 'correct the request: resource names are projects/P[/notes|occurrences/ID]',
  GRAFEAS_PERMISSION_DENIED:
    'grant the caller the Container Analysis role it needs (e.g. roles/containeranalysis.occurrences.viewer)',
  GRAFEAS_UNAUTHENTICATED:
    'provide Application Default Credentials (gcloud auth application-default login, a service account, or Workload Identity)',
  GRAFEAS_RESOURCE_EXHAUSTED: 'slow down or raise the quota of the project',
  GRAFEAS_UNIMPLEMENTED: 'this backend does not offer that call: check the API version (v1 or v1beta1)',
  GRAFEAS_SERVER_ERROR: 'the backend failed: retry later and check its logs',
  GRAFEAS_UNAVAILABLE: 'check that the metadata backend is running and reachable from here',
  GRAFEAS_DEADLINE_EXCEEDED: 'the backend did not answer in time: check its health or raise the deadline',
  GRAFEAS_CANCELLED: 'the call was cancelled by the caller',
  GRAFEAS_BAD_RESPONSE: 'the URL does not point at a Grafeas / Container Analysis API (or a proxy answered)',
  GRAFEAS_LIST_TOO_LONG:
    'use a Grafeas server whose paging ends (not v0.1.0 on PostgreSQL), or split the project: Signet bounds every listing so that it never runs forever',
  GRAFEAS_BAD_STORE_URL:
    'use sqlite:PATH, sqlite::memory:, containeranalysis[:ROOT_URL] or grafeas:http(s)://HOST:PORT',
  GRAFEAS_UNSUPPORTED_KIND: 'only ATTESTATION, VULNERABILITY and DISCOVERY occurrences are understood',
};

export interface GrafeasErrorFields {
  httpStatus: number;
  grpcCode: number;
  statusName: string;
  details: unknown[];
  /** Which backend failed (a URL or store setting). */
  backend: string;
  /** The answer carried a Grafeas or Google error body (not a proxy page or a bare route 404). */
  answeredByGrafeas?: boolean;
}

/** One normalised error for every backend and both error-body forms. */
export class GrafeasError extends SignetError {
  override readonly code: GrafeasErrorCode;
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly statusName: string;
  readonly details: unknown[];
  readonly backend: string;
  readonly answeredByGrafeas: boolean;

  constructor(
    code: GrafeasErrorCode,
    message: string,
    fields: GrafeasErrorFields,
    options?: { cause?: unknown; fix?: string },
  ) {
    super(code, message, options?.fix ?? FIX_BY_CODE[code], options);
    this.code = code;
    this.httpStatus = fields.httpStatus;
    this.grpcCode = fields.grpcCode;
    this.statusName = fields.statusName;
    this.details = fields.details;
    this.backend = fields.backend;
    this.answeredByGrafeas = fields.answeredByGrafeas ?? false;
  }

  /** Worth another attempt: throttled, unavailable or a server-side failure. */
  get retryable(): boolean {
    if (this.code === 'GRAFEAS_UNAVAILABLE' || this.code === 'GRAFEAS_RESOURCE_EXHAUSTED') return true;
    return this.httpStatus >= 500 && this.httpStatus !== 501;
  }
}

export function isGrafeasError(value: unknown, code?: GrafeasErrorCode): value is GrafeasError {
  return value instanceof GrafeasError && (code === undefined || value.code === code);
}

/** Build a GrafeasError from a gRPC status (code name or number). */
export function grafeasErrorFromStatus(
  backend: string,
  status: {
    httpStatus?: number;
    grpcCode: number;
    message: string;
    details?: unknown[];
    answeredByGrafeas?: boolean;
  },
  cause?: unknown,
): GrafeasError {
  const statusName = GRPC_CODE_NAMES[status.grpcCode] ?? 'UNKNOWN';
  const httpStatus = status.httpStatus ?? httpStatusForGrpc(status.grpcCode);
  const mapped = CODE_BY_STATUS_NAME[statusName];
  const code: GrafeasErrorCode =
    mapped ?? (httpStatus >= 500 ? 'GRAFEAS_SERVER_ERROR' : 'GRAFEAS_INVALID_ARGUMENT');
  return new GrafeasError(
    code,
    `${backend} answered ${httpStatus} ${statusName}: ${status.message}`,
    {
      httpStatus,
      grpcCode: status.grpcCode,
      statusName,
      details: status.details ?? [],
      backend,
      answeredByGrafeas: status.answeredByGrafeas ?? false,
    },
    { cause },
  );
}

/** An error that did not come from the backend's answer (transport, deadline, bad input, bad answer). */
export function localGrafeasError(
  code: GrafeasErrorCode,
  backend: string,
  message: string,
  cause?: unknown,
  httpStatus = 0,
  fix?: string,
): GrafeasError {
  const statusName =
    code === 'GRAFEAS_DEADLINE_EXCEEDED'
      ? 'DEADLINE_EXCEEDED'
      : code === 'GRAFEAS_CANCELLED'
        ? 'CANCELLED'
        : code === 'GRAFEAS_UNAVAILABLE'
          ? 'UNAVAILABLE'
          : code === 'GRAFEAS_NOT_FOUND'
            ? 'NOT_FOUND'
            : code === 'GRAFEAS_BAD_RESPONSE'
              ? 'UNKNOWN'
              : code === 'GRAFEAS_LIST_TOO_LONG'
                ? 'OUT_OF_RANGE'
                : 'INVALID_ARGUMENT';
  return new GrafeasError(
    code,
    message,
    { httpStatus, grpcCode: grpcCodeForName(statusName) ?? 2, statusName, details: [], backend },
    { cause, ...(fix ? { fix } : {}) },
  );
}
