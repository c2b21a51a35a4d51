// Local stand-in for Upstash Redis: speaks Upstash's REST protocol over HTTP and
// forwards to a real redis-server, so @upstash/redis and @upstash/ratelimit run unmodified.
//
// Endpoints (all POST unless noted; auth: `Authorization: Bearer TOKEN` or `?_token=`):
//   /pipeline     body [["set","k","v"], ...]  -> 200 [{result}|{error}, ...]
//   /multi-exec   same body, run in MULTI/EXEC -> 200 [{result}|{error}, ...], 400 on EXECABORT
//   /             body ["set","k","v"]         -> 200 {result} or 400 {error}
//   /set/k/v      GET or POST (a POST body is appended as the last argument)
//   GET /__stats, POST /__stats/reset          -> counters for benchmarks, no auth
import http from 'node:http';
import { createHash } from 'node:crypto';
import { RespClient, RespConnectionError, RespError, type RespArg, type RespValue } from './resp-client.ts';

export interface UpstashBridgeOptions {
  port: number;
  host?: string; // default 127.0.0.1
  token: string;
  redisHost?: string;
  redisPort: number;
}

export interface UpstashBridge {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** A command ready for redis, or the per-command error to report instead of running it. */
type Prepared = { args: RespArg[]; replySha?: string } | { error: string };

// All requests share one redis connection, so anything that changes connection state or
// blocks it would leak into (or stall) every other request.
const UNSUPPORTED = new Set([
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'select',
  'auth',
  'hello',
  'reset',
  'quit',
  'monitor',
  'sync',
  'psync',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
]);

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

/**
 * Upstash accepts `#!lua flags=allow-key-locking`; open-source redis 7 rejects the unknown
 * flag ("Unexpected flag in script shebang"), so drop just that flag and keep the rest.
 */
export function stripUpstashFlags(script: string): string {
  const shebang = /^#!lua([^\n]*)/.exec(script);
  const flags = shebang && /(^|\s)flags=(\S*)/.exec(shebang[1] ?? '');
  if (!shebang || !flags) return script;
  const list = (flags[2] ?? '').split(',');
  const kept = list.filter((f) => f !== '' && f !== 'allow-key-locking');
  if (kept.length === list.length) return script;
  const replacement = kept.length > 0 ? `${flags[1]}flags=${kept.join(',')}` : '';
  const header = `#!lua${(shebang[1] ?? '').replace(flags[0], replacement).trimEnd()}`;
  return header + script.slice(shebang[0].length);
}

function toArgs(raw: unknown): RespArg[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new HttpError(400, 'ERR a command must be a non-empty JSON array');
  return raw.map((arg) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw new HttpError(400, `ERR invalid command argument: ${JSON.stringify(arg)}`);
  });
}

function toCommandList(raw: unknown): RespArg[][] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new HttpError(400, 'ERR body must be a non-empty JSON array of commands');
  return raw.map(toArgs);
}

/** Base64 every string (exact bytes) except a bare top-level "+OK", which the client special-cases. */
function encodeValue(value: RespValue, base64: boolean, topLevel: boolean): unknown {
  if (value === null || typeof value === 'number') return value;
  if (value instanceof RespError) return value.message; // only reachable nested inside an array
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, base64, false));
  if (typeof value === 'string')
    return !base64 || (topLevel && value === 'OK') ? value : Buffer.from(value, 'utf8').toString('base64');
  return base64 ? value.toString('base64') : value.toString('utf8');
}

export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const host = options.host ?? '127.0.0.1';
  const redis = new RespClient({ host: options.redisHost ?? '127.0.0.1', port: options.redisPort });
  // SHA1 the client computed over its original script -> SHA1 of the script redis actually
  // stored, so the client's EVALSHA-first strategy hits after the first EVAL.
  const shaMap = new Map<string, string>();
  const stats = { requests: 0, commands: 0 };

  function prepare(args: RespArg[]): Prepared {
    const name = String(args[0]).toLowerCase();
    const sub = String(args[1] ?? '').toLowerCase();
    if (UNSUPPORTED.has(name) || (name === 'client' && ['reply', 'tracking', 'caching', 'pause'].includes(sub))) {
      return { error: `ERR command '${name}' is not supported by the local Upstash bridge` };
    }
    if (name.startsWith('xread') && args.some((a) => String(a).toLowerCase() === 'block')) {
      return { error: 'ERR blocking XREAD is not supported by the local Upstash bridge' };
    }
    const rewrite = (i: number): string | undefined => {
      const original = String(args[i]);
      const stripped = stripUpstashFlags(original);
      if (stripped === original) return undefined;
      args[i] = stripped;
      shaMap.set(sha1(original), sha1(stripped));
      return sha1(original);
    };
    const mapSha = (i: number): void => {
      const sha = shaMap.get(String(args[i]).toLowerCase());
      if (sha) args[i] = sha;
    };
    if (name === 'eval' || name === 'eval_ro') rewrite(1);
    else if (name === 'script' && sub === 'load') return { args, replySha: rewrite(2) };
    else if (name === 'evalsha' || name === 'evalsha_ro') mapSha(1);
    else if (name === 'script' && sub === 'exists') for (let i = 2; i < args.length; i++) mapSha(i);
    return { args };
  }

  // SCRIPT LOAD of a rewritten script must answer with the SHA the client expects.
  function entry(p: Prepared, reply: RespValue | undefined, base64: boolean): { result: unknown } | { error: string } {
    if ('error' in p) return { error: p.error };
    if (reply instanceof RespError) return { error: reply.message };
    if (reply === undefined) return { error: 'ERR missing reply' };
    return { result: encodeValue(p.replySha ? Buffer.from(p.replySha) : reply, base64, true) };
  }

  async function runPipeline(commands: RespArg[][], base64: boolean): Promise<unknown[]> {
    const prepared = commands.map(prepare);
    const runnable = prepared.flatMap((p) => ('args' in p ? [p.args] : []));
    const replies = await redis.send(runnable);
    stats.commands += runnable.length;
    let next = 0;
    return prepared.map((p) => entry(p, 'args' in p ? replies[next++] : undefined, base64));
  }

  async function runMulti(commands: RespArg[][], base64: boolean): Promise<unknown[]> {
    const prepared = commands.map(prepare);
    const rejected = prepared.find((p) => 'error' in p);
    if (rejected && 'error' in rejected)
      throw new HttpError(400, `EXECABORT Transaction discarded because of previous errors: ${rejected.error}`);
    const args = prepared.flatMap((p) => ('args' in p ? [p.args] : []));
    // Sent as one batch on the shared connection, so no other request can interleave.
    const replies = await redis.send([['multi'], ...args, ['exec']]);
    stats.commands += args.length;
    const exec = replies[replies.length - 1];
    if (!Array.isArray(exec)) {
      // The client only understands an array of entries here; a failed EXEC has to be a
      // whole-request error (non-2xx + {error}) or it dies with "res.map is not a function".
      const queueError = replies.slice(1, -1).find((r) => r instanceof RespError);
      const reason = exec instanceof RespError ? exec.message : 'EXECABORT transaction aborted';
      throw new HttpError(400, queueError instanceof RespError ? `${reason} (${queueError.message})` : reason);
    }
    return prepared.map((p, i) => entry(p, exec[i], base64));
  }

  async function runSingle(args: RespArg[], base64: boolean): Promise<{ status: number; body: unknown }> {
    const [result] = await runPipeline([args], base64);
    return { status: result && typeof result === 'object' && 'error' in result ? 400 : 200, body: result };
  }

  async function route(req: http.IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('_token');
    if (token !== options.token) throw new HttpError(401, 'WRONGPASS invalid or missing auth token');
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const body = await readBody(req);
    const json = (): unknown => {
      try {
        return JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'ERR failed to parse request body as JSON');
      }
    };
    const path = url.pathname;
    if (path === '/pipeline' || path === '/multi-exec') {
      if (req.method !== 'POST') throw new HttpError(405, `ERR ${path} requires POST`);
      const commands = toCommandList(json());
      return { status: 200, body: await (path === '/pipeline' ? runPipeline : runMulti)(commands, base64) };
    }
    if (path === '/') {
      if (req.method !== 'POST') throw new HttpError(400, 'ERR empty command');
      return runSingle(toArgs(json()), base64);
    }
    const args: RespArg[] = path
      .slice(1)
      .split('/')
      .map((s) => decodeURIComponent(s));
    if (req.method === 'POST' && body.length > 0) args.push(body); // raw bytes, binary-safe
    return runSingle(args, base64);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bridge');
    // Stats endpoints are not counted, so polling them does not skew benchmark numbers.
    if (url.pathname === '/__stats' && req.method === 'GET') return reply(res, 200, stats);
    if (url.pathname === '/__stats/reset' && req.method === 'POST') {
      stats.requests = 0;
      stats.commands = 0;
      return reply(res, 200, stats);
    }
    stats.requests++;
    try {
      if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, 'ERR method not allowed');
      const { status, body } = await route(req, url);
      reply(res, status, body);
    } catch (err) {
      if (err instanceof HttpError) reply(res, err.status, { error: err.message });
      else if (err instanceof RespConnectionError) reply(res, 503, { error: `redis unavailable: ${err.message}` });
      else reply(res, 500, { error: `ERR bridge failure: ${(err as Error).message ?? String(err)}` });
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      await closed;
      await redis.close();
    },
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Keep draining an oversized body (rather than destroying the socket) so the 413 can be sent.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES ? reject(new HttpError(413, 'ERR request body too large')) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}
