/**
 * CORS for the auth Worker's API, so the dashboard page (another origin) can sign in and refresh from
 * a browser. Only the configured origins are answered; with none, no CORS header is ever sent and a
 * browser on another origin cannot read a reply. No cookies are involved (tokens travel in bodies
 * and the Authorization header), so credentials stay off.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** The middleware for `origins` (exact origins, e.g. `https://dashboard.example.com`), or none. */
export function corsFor(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  return cors({
    // Echoes the origin only when it is listed; any other origin gets no Access-Control-Allow-Origin.
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Content-Type', 'Authorization'],
    // What a page needs to back off politely (contract: Common rules, rate limits).
    exposeHeaders: ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'],
    maxAge: 600,
  });
}
