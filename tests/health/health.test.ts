import { exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { stackControl as control } from '../test-env';

const health = async () => {
  const res = await exports.default.fetch('http://auth.test/health');
  return {
    status: res.status,
    body: (await res.json()) as { status: string; checks: Record<string, string>; error?: string },
  };
};

describe('GET /health', () => {
  afterEach(async () => {
    await control('redis', 'start');
    await control('postgres', 'start');
  });

  it('answers 200 with both checks ok when Redis and Postgres are up', async () => {
    expect(await health()).toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        checks: { database: 'ok', redis: 'ok' },
        eventQueue: { outbox: expect.any(Number), deadLetter: expect.any(Number) },
      },
    });
  });

  it('answers 503 naming Redis while it is down, and recovers when it is back', async () => {
    await control('redis', 'stop');
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'degraded',
      checks: { database: 'ok', redis: 'error' },
      error: 'redis unavailable',
    });
    await control('redis', 'start');
    expect((await health()).status).toBe(200);
  });

  it('answers 503 naming the database while Postgres is down, and recovers when it is back', async () => {
    await control('postgres', 'stop');
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'degraded',
      checks: { database: 'error', redis: 'ok' },
      error: 'database unavailable',
    });
    await control('postgres', 'start');
    expect((await health()).status).toBe(200);
  });
});
