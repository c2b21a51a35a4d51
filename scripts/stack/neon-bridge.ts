// A local stand-in for Neon's HTTP SQL endpoint in front of a plain PostgreSQL, so the production
// client (@neondatabase/serverless `neon()` and drizzle-orm/neon-http) runs unmodified in dev and
// tests: point `neonConfig.fetchEndpoint` at `sqlEndpoint`.
//
//   POST /sql             Neon protocol (see neon-protocol.ts)
//   GET  /__stats         {"requests": n, "queries": n, "recent": [...]} — what went through, for benchmarks
//                         (`recent`: the first 80 characters of the last 50 requests' statements)
//   POST /__stats/reset   zeroes the counters
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { QueryArrayConfig, QueryArrayResult } from 'pg';
import {
  BadRequest,
  beginStatement,
  describeError,
  isConnectionFailure,
  parseRequestBody,
  queryConfig,
  toNeonError,
  toNeonResult,
} from './neon-protocol.ts';
import type { NeonQuery } from './neon-protocol.ts';

export interface NeonBridgeOptions {
  port: number;
  /** Default 127.0.0.1: this is an unauthenticated door into the database. */
  host?: string;
  /** The local Postgres. The host in the client's Neon-Connection-String header is ignored. */
  connectionString: string;
  poolSize?: number;
}

export interface NeonBridge {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** url + '/sql', for neonConfig.fetchEndpoint */
  sqlEndpoint: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Failed to reach Postgres at all (connect error or timeout): 503, never a Postgres error. */
class Unavailable extends Error {}

export async function startNeonBridge(options: NeonBridgeOptions): Promise<NeonBridge> {
  const host = options.host ?? '127.0.0.1';
  const poolSize = options.poolSize ?? 10;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: poolSize,
    // With Postgres down, fail in ~1 s rather than queueing requests forever.
    connectionTimeoutMillis: 1000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away (e.g. Postgres restarted by a test) emits 'error';
  // pg-pool has already dropped it, and without a listener Node would crash the process.
  pool.on('error', () => {});

  const stats = { requests: 0, queries: 0, recent: [] as string[] };

  type Query = (config: string | QueryArrayConfig) => Promise<QueryArrayResult>;
  type Work<T> = (query: Query, discard: (err: unknown) => void) => Promise<T>;

  /**
   * Runs `work` on a pooled client. An idle pooled client may have died with a restarted Postgres
   * before pg noticed; it then fails on its first statement without Postgres having run it, so the
   * work is retried on another client (at most poolSize times) instead of failing the request.
   */
  async function withClient<T>(work: Work<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const state = { reused: false, answered: false };
      try {
        return await withOneClient(work, state);
      } catch (err) {
        const retry = state.reused && !state.answered && isConnectionFailure(err) && !(err instanceof Unavailable);
        if (!retry || attempt >= poolSize) throw err;
      }
    }
  }

  const usedClients = new WeakSet<pg.PoolClient>();

  async function withOneClient<T>(work: Work<T>, state: { reused: boolean; answered: boolean }): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw new Unavailable(describeError(err));
    }
    state.reused = usedClients.has(client);
    usedClients.add(client);
    let broken: Error | undefined;
    const discard = (err: unknown) => {
      broken ??= err instanceof Error ? err : new Error(String(err));
    };
    // A Postgres error is an answer too: it proves the connection was alive.
    const query: Query = (config) =>
      client.query<unknown[]>(typeof config === 'string' ? { text: config, rowMode: 'array' } : config).then(
        (result) => {
          state.answered = true;
          return result;
        },
        (err: unknown) => {
          if (!isConnectionFailure(err)) state.answered = true;
          throw err;
        },
      );
    // pg-pool removes its own 'error' listener while a client is checked out; one must be
    // present or a socket error between two statements of a batch would crash the process.
    client.on('error', discard);
    try {
      const result = await work(query, discard);
      // Neon drops connections left inside a transaction (e.g. a lone `BEGIN`); so do we.
      if (client.getTransactionStatus() !== 'I') discard(new Error('connection left in a transaction'));
      return result;
    } catch (err) {
      if (isConnectionFailure(err)) discard(err);
      throw err;
    } finally {
      client.off('error', discard);
      client.release(broken);
    }
  }

  function run(query: Query, neonQuery: NeonQuery) {
    return query(queryConfig(neonQuery)).then(toNeonResult);
  }

  async function runSql(req: http.IncomingMessage, body: string): Promise<unknown> {
    if (typeof req.headers['neon-connection-string'] !== 'string') {
      throw new BadRequest('missing Neon-Connection-String header');
    }
    const request = parseRequestBody(body);
    // Statements the client sent (not our BEGIN/COMMIT, not retries).
    stats.queries += request.batch ? request.queries.length : 1;
    const statements = request.batch ? request.queries : [request.query];
    stats.recent.push(statements.map((q) => q.query.replace(/\s+/g, ' ').trim().slice(0, 80)).join(' ; '));
    if (stats.recent.length > 50) stats.recent.shift();
    if (!request.batch) return withClient((query) => run(query, request.query));

    const begin = beginStatement(req.headers);
    return withClient(async (query, discard) => {
      await query(begin);
      try {
        const results = [];
        for (const neonQuery of request.queries) results.push(await run(query, neonQuery));
        await query('COMMIT');
        return { results };
      } catch (err) {
        // If even ROLLBACK fails the connection's state is unknown: never reuse it.
        await query('ROLLBACK').catch(discard);
        throw err;
      }
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://bridge').pathname;
    if (req.method === 'GET' && path === '/__stats') return send(res, 200, stats);
    if (req.method === 'POST' && path === '/__stats/reset') {
      stats.requests = 0;
      stats.queries = 0;
      stats.recent = [];
      return send(res, 200, stats);
    }
    if (path !== '/sql') return send(res, 404, { message: `no route ${req.method} ${path}` });
    if (req.method !== 'POST') return send(res, 405, { message: 'use POST' });

    stats.requests++;
    try {
      send(res, 200, await runSql(req, await readBody(req)));
    } catch (err) {
      if (err instanceof BadRequest) return send(res, 400, { message: err.message });
      if (err instanceof Unavailable || isConnectionFailure(err)) {
        return send(res, 503, { message: `database unavailable: ${describeError(err)}` });
      }
      // What remains is a Postgres error: the client turns a 400 with these fields into NeonDbError.
      if (err instanceof pg.DatabaseError) return send(res, 400, toNeonError(err));
      throw err;
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { message: `neon bridge: ${describeError(err)}` });
      else res.destroy();
    });
  });
  // Outlive the clients' keep-alive (workerd, undici): if we closed an idle connection just as a
  // client reused it, that request would fail with a spurious 'fetch failed'.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  // Port 0 picks a free port; report the real one.
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    sqlEndpoint: `${url}/sql`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Clients (workerd, undici) keep connections alive; close() would otherwise wait for them.
      server.closeAllConnections();
      await closed;
      await pool.end();
    },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
