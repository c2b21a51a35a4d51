/**
 * Nothing an auth API answers may be cached by a browser or a proxy: token responses (RFC 6749 5.1:
 * `Cache-Control: no-store`, `Pragma: no-cache`), and the user data and errors beside them. Set after
 * the handler, so error responses built by `onError` carry it too.
 */
import type { MiddlewareHandler } from 'hono';

export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
  c.res.headers.set('Pragma', 'no-cache');
};
