/**
 * Bench-only auth Worker that hands its security events to a Cloudflare Queue instead of the isolate's
 * write-behind batch (event-log.ts `eventWriter`): the producer sends each request's events in one
 * `sendBatch` after the response, and this Worker's own `queue()` consumer inserts each delivered batch
 * in one statement (`writeEvents`, the same insert, alerts and outbox fallback). `BENCH_EVENTS=queue npm
 * run bench:load` serves it with a producer binding and a consumer, to measure the Queue against the
 * per-isolate batch on the same harness (docs/PERFORMANCE.md, "Events: a Queue or the isolate's batch").
 */
import { authEnvSchema, parseEnv } from '../../src/lib/config/env-schema';
import { buildAuthDeps, type AuthDeps } from '../../src/functions/auth/deps';
import { createAuthApp, type AuthApp } from '../../src/functions/auth/app';
import { writeEvents, type EventStores } from '../../src/lib/events/event-log';
import type { SecurityEvent } from '../../src/lib/events/event-types';

interface QueueEnv extends Env {
  EVENT_QUEUE: Queue<SecurityEvent>;
}

let deps: AuthDeps | undefined;
let app: AuthApp | undefined;

function depsFor(env: QueueEnv): AuthDeps {
  deps ??= buildAuthDeps(parseEnv(authEnvSchema, env), { report: (err) => console.error(err) });
  return deps;
}

export default {
  fetch(request: Request, env: QueueEnv, ctx: ExecutionContext): Response | Promise<Response> {
    app ??= createAuthApp({
      ...depsFor(env),
      // Dates survive: a Queue message is structured-cloned (the default "v8" content type).
      writeEvents: (_stores, batch) => env.EVENT_QUEUE.sendBatch(batch.map((body) => ({ body }))),
    });
    return app.fetch(request, env, ctx);
  },

  async queue(batch: MessageBatch<SecurityEvent>, env: QueueEnv): Promise<void> {
    const d = depsFor(env);
    const stores: EventStores = { db: d.db, redis: d.redis, report: d.report, signal: d.signal };
    const where = await writeEvents(
      stores,
      batch.messages.map((m) => m.body),
    );
    // Stored, or kept in the outbox: done. Lost (neither store took them): the Queue delivers them again.
    if (where === 'lost') batch.retryAll();
    else batch.ackAll();
  },
};
