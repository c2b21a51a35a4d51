/**
 * Guards for JSON routes, before any validation or work: 16 KiB at most (declared or not, so a
 * chunked body is counted as it streams) and `application/json` only.
 *
 * A body refused part way through reading is cancelled, not left locked and half read (hono's
 * bodyLimit leaves it so, which is why it is not used here: the sender then sees the connection
 * drop instead of the 413). A body refused before reading (declared too large, not JSON) is left
 * untouched, for the runtime to drop with the request.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { ApiError } from './errors';

export const MAX_BODY_BYTES = 16 * 1024;

function tooLarge(): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
}

/** Reads at most MAX_BODY_BYTES; past that, cancels the stream and refuses. */
async function readCapped(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}

async function sizeGuard(c: Context, next: Next): Promise<Response | void> {
  const raw = c.req.raw;
  if (!raw.body) return next();
  const declared = raw.headers.get('content-length');
  if (declared !== null && !raw.headers.has('transfer-encoding')) {
    if (Number.parseInt(declared, 10) > MAX_BODY_BYTES) throw tooLarge();
    return next();
  }
  // Undeclared (chunked): count it as it arrives, then hand the route the bytes read.
  c.req.raw = new Request(raw, { body: await readCapped(raw.body) });
  return next();
}

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
