/**
 * The wire shape of every failure, in one place: `{error, message}` plus `details` for validation and
 * `retryAfter` for 429s. Domain code throws ApiError with a code; the status comes from this table.
 */
export const errorStatus = {
  VALIDATION_ERROR: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHORIZED: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ACCOUNT_LOCKED: 423,
  RATE_LIMIT_EXCEEDED: 429,
  IP_BLOCKED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ValidationDetail {
  field: string;
  problem: string;
}

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details?: ValidationDetail[];
  retryAfter?: number;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: ValidationDetail[] | undefined;
  readonly retryAfter: number | undefined;
  /** A Bearer route refused the token it was sent: the 401 names it (RFC 6750 3.1, `invalid_token`). */
  readonly invalidBearerToken: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    extra: { details?: ValidationDetail[]; retryAfter?: number; invalidBearerToken?: boolean } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = extra.details;
    this.retryAfter = extra.retryAfter;
    this.invalidBearerToken = extra.invalidBearerToken ?? false;
  }

  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: this.code, message: this.message };
    if (this.details) body.details = this.details;
    if (this.retryAfter !== undefined) body.retryAfter = this.retryAfter;
    return body;
  }
}
