/** GET /.well-known/jwks.json: the public keys that verify access tokens (every key still in rotation). */
import { Hono } from 'hono';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';

export function jwksRoutes(deps: AuthDeps) {
  return new Hono<AuthHonoEnv>().get('/.well-known/jwks.json', async (c) => {
    const { publicJwks } = await deps.keys();
    // Verifiers may cache for a while; on a kid they do not know they fetch again (jose does).
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ keys: publicJwks });
  });
}
