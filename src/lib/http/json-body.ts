/**
 * Guards for JSON routes, before any validation or work: 16 KiB at most (declared or not, so a
 * chunked body is counted as it streams) and `application/json` only.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';

export const MAX_BODY_BYTES = 16 * 1024;

const sizeGuard = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError('PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});

function hasBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return (length !== null && length !== '0') || headers.has('transfer-encoding');
}

/** For routes whose body is JSON: a missing or non-JSON body is refused before anything else. */
export const jsonBody: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type') ?? '';
  const mediaType = type.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
  }
  return sizeGuard(c, next);
};

/** For routes that take no body: any body sent is still capped, so nobody streams megabytes at us. */
export const noBody: MiddlewareHandler = async (c, next) => {
  if (!hasBody(c.req.raw.headers)) return next();
  return sizeGuard(c, next);
};
