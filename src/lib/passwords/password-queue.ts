/**
 * Password hashes run one at a time per isolate, in arrival order, with the event loop let through
 * between two of them. A scrypt hash holds the isolate's thread for about 180 ms; fifty logins at once
 * used to interleave their hashes with everyone's I/O, so a request whose Postgres or Redis answer had
 * arrived could not read it until many hashes later, and its deadline fired: a 503, a skipped block
 * check, a rate limit decided in memory. In a queue, a request waits for its turn before its hash, with
 * no I/O of its own in flight, and an answer that arrives is read after at most one hash.
 */
export class PasswordQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Runs `work` after the hashes queued before it; its result or error is the caller's. */
  run<T>(work: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const turn = this.tail.then(() => {
      this.waiting -= 1;
      return work();
    });
    // A macrotask between two hashes: I/O callbacks (answers, timers) run before the next one starts.
    this.tail = turn.then(letIoThrough, letIoThrough);
    return turn;
  }

  /** Hashes queued and not started: what a busy isolate makes a login wait for. */
  get depth(): number {
    return this.waiting;
  }
}

const letIoThrough = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
