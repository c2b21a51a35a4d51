/** GET /api/auth/security/blocked-ips and DELETE /api/auth/security/blocked-ips/:ip. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import { recordAdminAction, type AdminVariables } from '../admin-events';
import { listBlockedIps, unblockIp } from '../../../lib/detection/ip-blocklist';
import { ApiError } from '../../../lib/http/errors';
import { validationHook } from '../../../lib/http/validation';
import { errorResponse } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';

const BlockedIp = z.object({ ip: z.string(), reason: z.string(), until: z.string() }).openapi('BlockedIp');

const listRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/blocked-ips',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'IPs blocked now, with why and until when',
      content: { 'application/json': { schema: z.object({ blockedIps: z.array(BlockedIp) }) } },
    },
    ...adminOnlyErrors,
  },
});

const unblockRoute = createRoute({
  method: 'delete',
  path: '/api/auth/security/blocked-ips/{ip}',
  security: [{ bearer: [] }],
  request: { params: z.object({ ip: z.string().min(1).max(64) }) },
  responses: {
    204: { description: 'Block lifted; recorded as an admin_action event naming the admin' },
    404: errorResponse('NOT_FOUND: that IP is not blocked'),
    ...adminOnlyErrors,
  },
});

export function blockedIpRoutes(deps: DashboardDeps) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  app.openapi(listRoute, async (c) => {
    const blocks = await listBlockedIps(deps.redis, deps.clock());
    return c.json(
      { blockedIps: blocks.map((b) => ({ ip: b.ip, reason: b.reason, until: new Date(b.until).toISOString() })) },
      200,
    );
  });
  app.openapi(unblockRoute, async (c) => {
    const { ip } = c.req.valid('param');
    if (!(await unblockIp(deps.redis, ip))) throw new ApiError('NOT_FOUND', 'that IP is not blocked');
    recordAdminAction(c.get('events'), c.get('user'), 'ip_unblock', ip);
    return c.body(null, 204);
  });
  return app;
}
