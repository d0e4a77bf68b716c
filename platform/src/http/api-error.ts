// The contract's error: `{ "error": { "code", "message", "details"? } }` with its status. Everything
// a client can get wrong ends up as one of these, in the error filter, at the edge.

export const API_ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly details?: unknown };
}

/** The message of every 500: what went wrong stays in the log, under the request id. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side';

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, such as `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERROR_STATUS[code];
  }

  toBody(): ApiErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) },
    };
  }

  static validationFailed(message = 'The request is not valid', details?: unknown): ApiError {
    return new ApiError('VALIDATION_FAILED', message, details);
  }

  static unauthenticated(message = 'Authentication is required'): ApiError {
    return new ApiError('UNAUTHENTICATED', message);
  }

  static forbidden(message = 'Not allowed'): ApiError {
    return new ApiError('FORBIDDEN', message);
  }

  static notFound(message = 'Not found'): ApiError {
    return new ApiError('NOT_FOUND', message);
  }

  static conflict(message: string, details?: unknown): ApiError {
    return new ApiError('CONFLICT', message, details);
  }

  static payloadTooLarge(message = 'The request body is too large', details?: unknown): ApiError {
    return new ApiError('PAYLOAD_TOO_LARGE', message, details);
  }

  static unsupportedMediaType(message = 'Unsupported media type', details?: unknown): ApiError {
    return new ApiError('UNSUPPORTED_MEDIA_TYPE', message, details);
  }

  /** `retryAfterSeconds` is rounded up and sent as `Retry-After`. */
  static rateLimited(retryAfterSeconds: number, message = 'Too many requests'): ApiError {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return new ApiError('RATE_LIMITED', message, { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
  }

  static internal(): ApiError {
    return new ApiError('INTERNAL', INTERNAL_ERROR_MESSAGE);
  }
}

/**
 * The contract code for a status some other layer (Nest, Fastify) chose. A client error without a
 * code of its own is invalid input (400); a server error is INTERNAL.
 */
export function apiErrorCodeForStatus(status: number): ApiErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'VALIDATION_FAILED';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    default:
      return status >= 400 && status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL';
  }
}
