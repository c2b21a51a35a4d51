/**
 * How many requests of one isolate may be doing password work at once (a hash holds the isolate's
 * thread: about 25 ms with Argon2id, 160 ms with a stored scrypt hash). The rest wait here, before any
 * of their I/O has started: a deadline on a query or a Redis call then never counts the time the
 * isolate spent hashing other requests' passwords (npm run bench:login-burst), so a burst is answered
 * late but whole, and no check is skipped because the isolate was busy.
 *
 * A Worker's request can end at any moment (its client gone), and may not settle another request's
 * promise (workerd refuses it: "Cannot perform I/O on behalf of a different request"). So a slot is a
 * lease that lapses (`leaseMs`) rather than a count that could leak, and a waiter is never woken by the
 * request that frees a slot: it looks again by itself every `recheckMs`, on its own timer. A waiter
 * that stopped looking (its request ended) stops counting as waiting.
 */
import type { Clock } from '../clock';

export interface SlotSettings {
  /** Requests doing password work at once. */
  capacity: number;
  /** Requests waiting at most; past it a request is refused at once (SlotsFull). */
  maxWaiting: number;
  /** A slot held longer than this is taken to be abandoned. */
  leaseMs: number;
  /** How often a waiter looks again for a free slot, on its own timer. */
  recheckMs: number;
}

export const PASSWORD_SLOTS: SlotSettings = { capacity: 2, maxWaiting: 200, leaseMs: 15_000, recheckMs: 15 };

/** A waiter not seen looking for this long has gone (long enough to outlast other requests' hashes). */
const WAITER_LAPSE_MS = 2_000;

export class SlotsFull extends Error {
  constructor() {
    super('too many requests are waiting for password work');
  }
}

export type HoldSlot = <T>(work: () => Promise<T>) => Promise<T>;

export function passwordSlots(clock: Clock, settings: SlotSettings = PASSWORD_SLOTS): HoldSlot {
  const now = () => clock().getTime();
  const held = new Map<symbol, number>(); // slot -> when it was taken
  const waiting = new Map<symbol, number>(); // waiter -> when it last looked

  const lapse = (entries: Map<symbol, number>, ms: number) => {
    for (const [key, since] of entries) if (now() - since > ms) entries.delete(key);
  };
  const tryTake = (): symbol | undefined => {
    lapse(held, settings.leaseMs);
    if (held.size >= settings.capacity) return undefined;
    const slot = Symbol('password slot');
    held.set(slot, now());
    return slot;
  };

  const take = async (): Promise<symbol> => {
    lapse(waiting, WAITER_LAPSE_MS);
    // Those already waiting go first: a newcomer takes a free slot only when no one waits.
    const free = waiting.size === 0 ? tryTake() : undefined;
    if (free) return free;
    if (waiting.size >= settings.maxWaiting) throw new SlotsFull();
    const waiter = Symbol('waiter');
    try {
      for (;;) {
        waiting.set(waiter, now());
        await new Promise((resolve) => setTimeout(resolve, settings.recheckMs));
        const slot = tryTake();
        if (slot) return slot;
      }
    } finally {
      waiting.delete(waiter);
    }
  };

  return async (work) => {
    const slot = await take();
    try {
      return await work();
    } finally {
      held.delete(slot);
    }
  };
}
