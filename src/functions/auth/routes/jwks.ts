/** GET /.well-known/jwks.json: the public keys that verify access tokens (every key still in rotation). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { jsonContent } from '../schemas';

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('JWKS');

const jwksRoute = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  responses: {
    200: jsonContent(Jwks, 'Public keys (RFC 7517); the newest signs, older ones verify until their tokens expire'),
  },
});

export function jwksRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<AuthHonoEnv>();
  app.openapi(jwksRoute, async (c) => {
    const { publicJwks } = await deps.keys();
    // Verifiers may cache for a while; on a kid they do not know they fetch again (jose does).
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ keys: publicJwks as Record<string, unknown>[] }, 200);
  });
  return app;
}
