import { describe, expect, it } from 'vitest';
import { writeBehind } from './write-behind';

/** A write whose round trips the test ends by hand, recording each batch and who wrote it. */
function manualWrite() {
  const batches: { items: number[]; writer: number; finish: () => void }[] = [];
  const write = (items: number[], writer: number) =>
    new Promise<void>((resolve) => batches.push({ items, writer, finish: resolve }));
  return { batches, write };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const settings = { handOverMs: 1000, leaseMs: 5000 };

describe('writeBehind', () => {
  it('writes a lone item at once; what comes during a write goes in the next, by the same writer', async () => {
    const { batches, write } = manualWrite();
    const submit = writeBehind(write, () => new Date(), settings);
    let writerDone = false;
    const writer = submit(1).then(() => (writerDone = true));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    // The others hand their items over and are done at once: no request waits on another.
    await Promise.all([submit(2), submit(3), submit(4)]);
    expect(batches).toHaveLength(1);
    batches[0]!.finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    expect(batches[1]!.writer).toBe(1);
    expect(writerDone).toBe(false); // the writer stays until the queue is empty
    batches[1]!.finish();
    await writer;
    // At rest again: the next item is written by its own request.
    const next = submit(5);
    await tick();
    expect(batches[2]).toMatchObject({ items: [5], writer: 5 });
    batches[2]!.finish();
    await next;
  });

  it('hands over after handOverMs: its last write takes the queue, and the next comer writes what follows', async () => {
    const { batches, write } = manualWrite();
    let clock = 0;
    const submit = writeBehind(write, () => new Date(clock), settings);
    const first = submit(1);
    await submit(2);
    clock = 1500;
    batches[0]!.finish();
    await tick();
    expect(batches[1]).toMatchObject({ items: [2], writer: 1 }); // its last write
    const third = submit(3); // finds no writer: writes itself
    await tick();
    expect(batches[2]).toMatchObject({ items: [3], writer: 3 });
    batches[1]!.finish();
    batches[2]!.finish();
    await Promise.all([first, third]);
    expect(batches).toHaveLength(3);
  });

  it('replaces a writer that vanished once its lease lapses', async () => {
    const { batches, write } = manualWrite();
    let clock = 0;
    const submit = writeBehind(write, () => new Date(clock), settings);
    void submit(1); // its write never ends (the request was cancelled)
    await submit(2);
    clock = 5001;
    const taker = submit(3);
    await tick();
    expect(batches[1]).toMatchObject({ items: [2, 3], writer: 3 });
    batches[1]!.finish();
    await taker;
  });
});
