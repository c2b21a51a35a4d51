/**
 * A Chrome DevTools Protocol session with a Worker's isolate, through the V8 inspector Miniflare opens
 * (`serveBundle(..., inspectorPort)`): CPU profiles (cpu-profile.ts) and heap figures (load-bench.ts).
 */
/** One CDP session over the inspector's WebSocket (Node 22's global WebSocket). */
export async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  const target = targets.find((t) => !/internal|proxy/i.test(t.title ?? '')) ?? targets[0]!;
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const waiter = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) waiter?.reject(new Error(`inspector: ${msg.error.message}`));
    else waiter?.resolve(msg.result);
  };
  /** A command's result; a benchmark never hangs on the inspector (60 s at most). */
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      id += 1;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} unanswered`)), 60_000);
      pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/**
 * The isolate's JavaScript heap in use, in MB (what production bounds at 128 MB per isolate). Garbage not
 * yet collected included: workerd's inspector does not answer HeapProfiler.collectGarbage.
 */
export async function heapUsedMb(session: Awaited<ReturnType<typeof inspector>>): Promise<number> {
  const { usedSize } = await session.send<{ usedSize: number }>('Runtime.getHeapUsage');
  return usedSize / 1024 / 1024;
}
