import type { ClientContext } from '../../lib/client/client-context';
import type { RequestEvents } from '../../lib/events/event-log';
import type { AccessClaims } from '../../lib/tokens/access-token';
import type { PublicUser } from '../../lib/accounts/user-store';
import type { RunGate } from './route-gate';

/** The Hono environment of the auth Worker: its bindings and what middleware puts on the context. */
export type AuthHonoEnv = {
  Bindings: Env;
  Variables: {
    client: ClientContext;
    events: RequestEvents;
    /** Work that may run after the response; the request's events are written once it settles. */
    defer: (work: Promise<unknown>) => void;
    /** Runs a route's declared gate (route-gate.ts). */
    runGate: RunGate;
    /** The RateLimit-* headers the response carries: the gate's, replaced by a limit the route takes later. */
    limitHeaders: Record<string, string>;
    /** A Bearer route's caller, set by its gate (route-gate.ts). */
    auth: AccessClaims;
    user: PublicUser;
  };
};
