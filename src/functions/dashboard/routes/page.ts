/**
 * The security dashboard page (contract: `GET /`): static files built from page/ (wrangler.toml
 * [assets]), and `GET /config.json`, which tells the page where the auth Worker is. The page holds no
 * secret: it signs in with the admin's own credentials.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import { jsonContent } from '../../../lib/http/openapi';

const PageConfig = z
  .object({
    authOrigin: z.string().openapi({
      description: "Where the page signs in and refreshes (POST /api/auth/login, /refresh); '' = this origin",
      example: 'https://auth.example.com',
    }),
  })
  .openapi('PageConfig');

const configRoute = createRoute({
  method: 'get',
  path: '/config.json',
  responses: { 200: jsonContent(PageConfig, "The page's configuration (AUTH_PUBLIC_URL); public, no secret") },
});

export function pageRoutes(deps: DashboardDeps) {
  const app = new OpenAPIHono<{ Bindings: DashboardEnv }>();
  const config = { authOrigin: deps.config.AUTH_PUBLIC_URL ?? '' };
  app.openapi(configRoute, (c) => c.json(config, 200, { 'Cache-Control': 'no-cache' }));
  // Everything else outside /api is a file of the page (404 from the assets when there is none).
  app.on(['GET', 'HEAD'], '/*', async (c, next) => {
    if (c.req.path.startsWith('/api/') || !c.env.ASSETS) return next();
    const res = await c.env.ASSETS.fetch(c.req.raw);
    if (res.status === 404) return next();
    // The page and its files change with each deploy and carry no hash in their names: revalidate.
    const headers = new Headers(res.headers);
    headers.set('Cache-Control', 'no-cache');
    return new Response(res.body, { status: res.status, headers });
  });
  return app;
}
