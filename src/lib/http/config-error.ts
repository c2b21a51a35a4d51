import { ConfigError } from '../config/env-schema';

/**
 * A Worker whose configuration is invalid answers every request 500 and logs which variables are
 * wrong (names only), instead of failing somewhere deep inside a request.
 */
export function configErrorResponse(err: unknown): Response {
  const detail = err instanceof ConfigError ? err.message : 'failed to start';
  console.error(`[config] ${detail}`);
  return Response.json({ error: 'INTERNAL_ERROR', message: 'service misconfigured' }, { status: 500 });
}
