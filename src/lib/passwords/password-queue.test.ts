import { describe, expect, it } from 'vitest';
import { PasswordQueue } from './password-queue';

describe('PasswordQueue', () => {
  it('runs work one at a time, in arrival order, and hands back each result or error', async () => {
    const queue = new PasswordQueue();
    const order: number[] = [];
    let running = 0;
    let most = 0;
    const job = (n: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(n);
      running -= 1;
      if (n === 2) throw new Error('two');
      return n;
    };
    const results = await Promise.allSettled([1, 2, 3].map((n) => queue.run(job(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(most).toBe(1);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      1,
      'two',
      3,
    ]);
    expect(queue.depth).toBe(0);
  });

  it('lets what became due during one hash (an I/O answer, a timer) run before the next hash starts', async () => {
    const queue = new PasswordQueue();
    const events: string[] = [];
    await Promise.all(
      ['a', 'b'].map((name) =>
        queue.run(async () => {
          // Stands for an answer that arrived while this hash held the thread.
          if (name === 'a') setTimeout(() => events.push('answer read'), 0);
          events.push(`hash ${name}`);
        }),
      ),
    );
    expect(events).toEqual(['hash a', 'answer read', 'hash b']);
  });
});
