import { describe, expect, it } from 'vitest';
import { checkHealth } from './health-check';

const ok = () => Promise.resolve('PONG');
const never = () => new Promise<never>(() => {});

describe('checkHealth', () => {
  it('is ok when both probes resolve', async () => {
    expect(await checkHealth({ database: ok, redis: ok }, 50)).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok' },
    });
  });

  it('is degraded naming redis when its probe rejects, with the database still ok', async () => {
    const report = await checkHealth(
      { database: ok, redis: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:6379')) },
      50,
    );
    expect(report).toEqual({
      status: 'degraded',
      checks: { database: 'ok', redis: 'error' },
      error: 'redis unavailable',
    });
  });

  it('is degraded naming the database when its probe rejects', async () => {
    const report = await checkHealth({ database: () => Promise.reject(new Error('boom')), redis: ok }, 50);
    expect(report).toEqual({
      status: 'degraded',
      checks: { database: 'error', redis: 'ok' },
      error: 'database unavailable',
    });
  });

  it('names both when both fail', async () => {
    const report = await checkHealth(
      { database: () => Promise.reject(new Error('a')), redis: () => Promise.reject(new Error('b')) },
      50,
    );
    expect(report).toEqual({
      status: 'degraded',
      checks: { database: 'error', redis: 'error' },
      error: 'database and redis unavailable',
    });
  });

  it('does not leak the driver error text (hosts, user names) into the report', async () => {
    const report = await checkHealth(
      {
        database: () =>
          Promise.reject(new Error('password authentication failed for user "auth_admin" at db.internal:5432')),
        redis: ok,
      },
      50,
    );
    expect(JSON.stringify(report)).not.toMatch(/auth_admin|db\.internal|5432/);
  });

  it('cuts off a probe that never resolves at the deadline and names it', async () => {
    const started = Date.now();
    const report = await checkHealth({ database: ok, redis: never }, 50);
    const elapsed = Date.now() - started;
    expect(report).toEqual({
      status: 'degraded',
      checks: { database: 'ok', redis: 'error' },
      error: 'redis unavailable',
    });
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('waits for a slow probe that answers before the deadline', async () => {
    const slow = () => new Promise((resolve) => setTimeout(() => resolve('PONG'), 20));
    expect(await checkHealth({ database: slow, redis: ok }, 500)).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok' },
    });
  });

  it('runs the probes at once, each with its own deadline: two hanging probes take one deadline, not two', async () => {
    const started = Date.now();
    const report = await checkHealth({ database: never, redis: never }, 200);
    const elapsed = Date.now() - started;
    expect(report).toEqual({
      status: 'degraded',
      checks: { database: 'error', redis: 'error' },
      error: 'database and redis unavailable',
    });
    expect(elapsed).toBeLessThan(400);
  });

  it('starts every probe before any finishes (the database probe can wait on the redis probe having started)', async () => {
    let redisStarted!: () => void;
    const redisHasStarted = new Promise<void>((resolve) => {
      redisStarted = resolve;
    });
    const database = async () => {
      await redisHasStarted;
      return 1;
    };
    const redis = async () => {
      redisStarted();
      return 'PONG';
    };
    expect(await checkHealth({ database, redis }, 200)).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok' },
    });
  });

  it('defaults to a 2 s deadline: a probe answering after 1.5 s is still ok', async () => {
    const slow = () => new Promise((resolve) => setTimeout(() => resolve('PONG'), 1_500));
    expect(await checkHealth({ database: slow, redis: ok })).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok' },
    });
  });
});
