/**
 * One schema per route: it validates the request and describes it in GET /openapi.json.
 */
import { z } from '@hono/zod-openapi';
import { text } from '../../lib/http/validation';
import { errorResponse } from '../../lib/http/openapi';

export { ErrorBody, errorResponse, jsonContent } from '../../lib/http/openapi';
import { passwordProblem, PASSWORD_MAX } from '../../lib/passwords/password-policy';
import { ROLES } from '../../lib/storage/schema';
import type { TokenResponse as TokenResponseShape } from '../../lib/sessions/token-issuer';

const email = z.email({ message: 'must be an email address' }).max(254).openapi({ example: 'ada@example.com' });
const deviceName = text(1, 100).optional().openapi({ example: 'Ada’s laptop' });

export const SignupBody = z
  .object({
    email,
    password: z
      .string()
      .superRefine((value, ctx) => {
        const problem = passwordProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({
        minLength: 8,
        maxLength: PASSWORD_MAX,
        description: '8-128 Unicode characters, not a common password',
      }),
    name: text(1, 100).openapi({ example: 'Ada Lovelace' }),
    deviceName,
  })
  .openapi('SignupRequest');

export const LoginBody = z
  .object({
    email,
    // Not the signup policy's 128: that counts after NFKC normalisation, which can shrink a string, so a
    // password accepted at signup may be longer here. The 16 KiB body limit bounds the work.
    password: text(1, 4 * PASSWORD_MAX, { trim: false }),
    deviceName,
  })
  .openapi('LoginRequest');

export const GoogleBody = z
  .object({
    idToken: text(1, 8192, { trim: false }),
    // The value the client put in its authorization request; nonces are random URL-safe strings.
    nonce: z
      .string()
      .min(1)
      .max(512)
      .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII' })
      .optional(),
    deviceName,
  })
  .openapi('GoogleSignInRequest');

export const RefreshBody = z.object({ refreshToken: text(1, 512, { trim: false }) }).openapi('RefreshRequest');

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
  })
  .openapi('User');

export const TokenResponse = z
  .object({
    token: z.string().openapi({ description: 'Same as accessToken, for older clients' }),
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    tokenType: z.literal('Bearer'),
    user: User,
  })
  .openapi('TokenResponse') satisfies z.ZodType<TokenResponseShape>;

export const Session = z
  .object({
    id: z.uuid(),
    deviceName: z.string().nullable(),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    country: z.string().nullable(),
    city: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string(),
    current: z.boolean(),
  })
  .openapi('Session');

/** The errors every JSON route can answer (the contract's common rules). */
export const jsonRouteErrors = {
  400: errorResponse('VALIDATION_ERROR: malformed JSON or a bad field (see details)'),
  413: errorResponse('PAYLOAD_TOO_LARGE: body over 16 KiB'),
  415: errorResponse('UNSUPPORTED_MEDIA_TYPE: body is not application/json'),
  429: errorResponse('RATE_LIMIT_EXCEEDED (or IP_BLOCKED on credential routes), with retryAfter'),
  503: errorResponse('SERVICE_UNAVAILABLE: Postgres (or another backing service) is out of reach; Retry-After'),
};

/** The errors every Bearer route can answer. */
export const bearerErrors = {
  401: errorResponse('UNAUTHORIZED (no token), TOKEN_INVALID, TOKEN_EXPIRED or TOKEN_REVOKED'),
  423: errorResponse('ACCOUNT_LOCKED'),
  503: errorResponse('SERVICE_UNAVAILABLE: Postgres is out of reach; Retry-After'),
};
