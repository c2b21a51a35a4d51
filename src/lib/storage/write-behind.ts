/**
 * Write-behind for work no one waits on (the security events a request leaves after its response): what
 * concurrent requests hand in while a write is in flight leaves together in the next write, so under
 * load many requests share one round trip, and at rest each leaves at once (no timer, no added latency).
 *
 * Who writes matters in a Worker. I/O belongs to the request that started it, and a request waiting on
 * a promise only another request can settle is taken for hung and cancelled by the runtime ("Promise
 * will never complete"). So no request ever waits for another: the first to find no write in flight
 * becomes the writer and, inside its own `waitUntil`, writes what is queued until the queue is empty;
 * the others queue their items and are done at once. The isolate is not evicted while the writer's
 * `waitUntil` runs, so nothing queued is left behind. A writer hands over after `handOverMs` (a
 * `waitUntil` has about 30 s): its last write takes what is queued, and whoever comes during it writes
 * next. A writer that vanished (its request cancelled) is replaced after `leaseMs`.
 */
import type { Clock } from '../clock';

export interface WriteBehindSettings {
  handOverMs: number;
  leaseMs: number;
}

export const WRITE_BEHIND: WriteBehindSettings = { handOverMs: 5_000, leaseMs: 15_000 };

/** Writes a batch; must not throw (a failure is the write's to divert or report). */
export type BatchWrite<I> = (items: I[], writer: I) => Promise<void>;

export function writeBehind<I>(
  write: BatchWrite<I>,
  clock: Clock,
  settings: WriteBehindSettings = WRITE_BEHIND,
): (item: I) => Promise<void> {
  const now = () => clock().getTime();
  let queue: I[] = [];
  let writingSince: number | undefined;

  return async (item) => {
    queue.push(item);
    if (writingSince !== undefined && now() - writingSince < settings.leaseMs) return; // the writer takes it
    const since = now();
    writingSince = since;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const last = now() - since >= settings.handOverMs;
      if (last && writingSince === since) writingSince = undefined; // items from now on find no writer
      await write(batch, item);
      if (last) return;
    }
    if (writingSince === since) writingSince = undefined;
  };
}
