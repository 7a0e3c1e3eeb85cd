import { GRPC_CODE_NAMES, httpStatusForGrpc } from '@signet/grafeas-client';

export type Flavor = 'google' | 'oss';

/** A deliberate API error; rendered as Google's or OSS Grafeas's error body. */
export class ApiError extends Error {
  readonly httpStatus: number;

  constructor(
    readonly grpcCode: number,
    message: string,
    httpStatus?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.httpStatus = httpStatus ?? httpStatusForGrpc(grpcCode);
  }
}

export const invalid = (message: string, httpStatus?: number) => new ApiError(3, message, httpStatus);
export const notFound = (message: string) => new ApiError(5, message);
export const alreadyExists = (message: string) => new ApiError(6, message);

/** Google: {"error": {code: <http>, message, status}}; OSS v0.1.0 (grpc-gateway): {error, message, code: <grpc>, details}. */
export function errorBody(flavor: Flavor, error: ApiError): Record<string, unknown> {
  if (flavor === 'oss') {
    return { error: error.message, message: error.message, code: error.grpcCode, details: [] };
  }
  return {
    error: {
      code: error.httpStatus,
      message: error.message,
      status: GRPC_CODE_NAMES[error.grpcCode] ?? 'UNKNOWN',
    },
  };
}
