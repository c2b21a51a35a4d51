/**
 * Every admin action is itself a security event naming the admin (contract: Dashboard Worker):
 * `admin_action`, userId = the admin, metadata {action, adminId, target}, with the admin's IP and
 * user agent. Written after the response like the auth Worker's events, with the same fallbacks
 * (Redis outbox, then a report): an action is never left unrecorded silently.
 */
import type { MiddlewareHandler } from 'hono';
import { clientContext } from '../../lib/client/client-context';
import { RequestEvents } from '../../lib/events/event-log';
import type { BearerVariables } from '../../lib/http/bearer-auth';
import type { DashboardDeps } from './deps';

export type AdminVariables = BearerVariables & { events: RequestEvents };

/** What an admin can do from the dashboard; `target` is the IP or the user id acted on. */
export type AdminAction =
  'ip_unblock' | 'user_revoke_sessions' | 'user_lock' | 'user_unlock' | 'alert_acknowledge' | 'alert_resolve';

/** Runs after adminOnly: only a verified admin's requests get an event collector. */
export function adminEvents(
  deps: Pick<DashboardDeps, 'db' | 'redis' | 'report' | 'clock'>,
): MiddlewareHandler<{ Variables: AdminVariables }> {
  return async (c, next) => {
    const events = new RequestEvents(await clientContext(c.req.raw), deps.clock());
    c.set('events', events);
    await next();
    c.executionCtx.waitUntil(events.flush({ db: deps.db, redis: deps.redis, report: deps.report }));
  };
}

/** Records that the signed-in admin did `action` to `target` (an IP, a user id, ...). */
export function recordAdminAction(
  events: RequestEvents,
  admin: { id: string },
  action: AdminAction,
  target: string,
): void {
  events.record('admin_action', { userId: admin.id, metadata: { action, adminId: admin.id, target } });
}
