/**
 * Does a daemon answer? A live pid, a pid file or an open port says little: a SIGKILLed server can
 * leave all three behind (a zombie, a stale pid file, a port bound for a moment longer). Only an
 * answer to a real request counts: Redis's PING, Postgres's SELECT 1.
 */
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { RespClient } from './resp-client.ts';

/** Whether the redis-server on `port` answers PING with PONG (not an error such as LOADING). */
export async function redisAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  const client = new RespClient({ port, connectTimeoutMs: timeoutMs, replyTimeoutMs: timeoutMs });
  try {
    const [reply] = await client.send([['PING']]);
    return reply === 'PONG';
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** Whether the Postgres behind `connectionString` runs `SELECT 1`. */
export async function postgresAnswers(connectionString: string, timeoutMs = 1000): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {}); // a server dying under us is an answer of "no", not a crash
  try {
    await client.connect();
    const result = await client.query<{ one: number }>('SELECT 1 AS one');
    return result.rows[0]?.one === 1;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Polls `answers` until it is true; false after `timeoutMs`, or as soon as `gaveUp()` says the
 * process we wait for has exited (waiting longer for a dead server only hides why it died).
 */
export async function waitUntilAnswers(
  answers: () => Promise<boolean>,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answers()) return true;
    if (gaveUp() || Date.now() >= deadline) return false;
    await sleep(50);
  }
}
