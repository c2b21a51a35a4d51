/**
 * The security headers of every dashboard answer, the page's above all. The page runs only its own
 * script and stylesheet (no inline script or style, no third-party origin) and talks only to this
 * Worker and the auth Worker (sign-in, refresh), so a stolen-token exfiltration or an injected
 * script has nowhere to go; it is never framed (clickjacking the admin actions).
 */
import type { MiddlewareHandler } from 'hono';

/** The Content-Security-Policy for a page whose auth Worker lives at `authOrigin` (undefined: here). */
export function contentSecurityPolicy(authOrigin: string | undefined): string {
  const connect = authOrigin ? `'self' ${authOrigin}` : `'self'`;
  return [
    `default-src 'none'`,
    `script-src 'self'`,
    // uPlot sizes its canvas through element.style (CSSOM), which style-src does not govern.
    `style-src 'self'`,
    `img-src 'self' data:`,
    `connect-src ${connect}`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

export function pageHeaders(authOrigin: string | undefined): MiddlewareHandler {
  const csp = contentSecurityPolicy(authOrigin);
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Frame-Options', 'DENY');
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'no-referrer');
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  };
}
