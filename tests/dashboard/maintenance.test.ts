/** GET /api/auth/security/maintenance: admins see the recent scheduled runs, newest first, with what each did. */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { cronRuns } from '../../src/lib/storage/schema';
import { db, signedIn } from './admin-session';

async function call(path: string, token?: string) {
  const res = await exports.default.fetch(
    new Request(`http://dashboard.test${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Run {
  id: number;
  job: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  details: Record<string, unknown>;
}

describe('dashboard: maintenance runs', () => {
  it('answers 401 without a token and 403 for a non-admin', async () => {
    expect((await call('/api/auth/security/maintenance')).status).toBe(401);
    const user = await signedIn('user');
    expect(await call('/api/auth/security/maintenance', user.token)).toMatchObject({
      status: 403,
      body: { error: 'FORBIDDEN' },
    });
  });

  it('lists the runs of a job newest first, with their status and details', async () => {
    const admin = await signedIn('admin');
    const job = `dashboard-test-${crypto.randomUUID()}`;
    const t = Date.now();
    const [older, newer, running] = await db
      .insert(cronRuns)
      .values([
        {
          job,
          startedAt: new Date(t - 86_400_000),
          finishedAt: new Date(t - 86_000_000),
          status: 'succeeded',
          details: { steps: { archiveEvents: { rows: 12 } } },
        },
        {
          job,
          startedAt: new Date(t - 3_600_000),
          finishedAt: new Date(t - 3_500_000),
          status: 'failed',
          details: { error: 'NeonDbError: connection refused' },
        },
        { job, startedAt: new Date(t - 60_000), status: 'running', leaseUntil: new Date(t + 600_000) },
      ])
      .returning();

    const res = await call(`/api/auth/security/maintenance?job=${job}`, admin.token);
    expect(res.status).toBe(200);
    expect(res.body.runs as Run[]).toEqual([
      {
        id: running!.id,
        job,
        startedAt: new Date(t - 60_000).toISOString(),
        finishedAt: null,
        status: 'running',
        details: {},
      },
      {
        id: newer!.id,
        job,
        startedAt: new Date(t - 3_600_000).toISOString(),
        finishedAt: new Date(t - 3_500_000).toISOString(),
        status: 'failed',
        details: { error: 'NeonDbError: connection refused' },
      },
      {
        id: older!.id,
        job,
        startedAt: new Date(t - 86_400_000).toISOString(),
        finishedAt: new Date(t - 86_000_000).toISOString(),
        status: 'succeeded',
        details: { steps: { archiveEvents: { rows: 12 } } },
      },
    ]);
    const limited = await call(`/api/auth/security/maintenance?job=${job}&limit=1`, admin.token);
    expect((limited.body.runs as Run[]).map((r) => r.id)).toEqual([running!.id]);
    await db.delete(cronRuns).where(eq(cronRuns.job, job));
  });

  it('lists every job by default, at most 20, and refuses a bad limit', async () => {
    const admin = await signedIn('admin');
    const all = await call('/api/auth/security/maintenance', admin.token);
    expect(all.status).toBe(200);
    expect((all.body.runs as Run[]).length).toBeLessThanOrEqual(20);
    for (const limit of ['0', '101', 'many']) {
      expect(await call(`/api/auth/security/maintenance?limit=${limit}`, admin.token)).toMatchObject({
        status: 400,
        body: { error: 'VALIDATION_ERROR' },
      });
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = await call('/openapi.json');
    expect(Object.keys(doc.body.paths as object)).toContain('/api/auth/security/maintenance');
  });
});
