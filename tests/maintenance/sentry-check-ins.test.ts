/**
 * Each scheduled job checks in with Sentry Crons through the Worker's real entry: in progress, then ok
 * or error, with its schedule (so Sentry also alerts on a run that never happens). Read back from the
 * stack's stand-in for Sentry's ingest, as tests/security/sentry-envelopes.test.ts does.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import worker from '../../src/functions/auth/index';
import { stackControl, testEnv } from '../test-env';
import { db, eventually } from '../support';

const control = testEnv.STACK_CONTROL_URL;
const env = { ...testEnv, SENTRY_DSN: control.replace('http://', 'http://publickey@') + '/1' };

interface CheckIn {
  check_in_id: string;
  monitor_slug: string;
  status: string;
  duration?: number;
  monitor_config?: Record<string, unknown>;
}

async function checkIns(slug: string): Promise<CheckIn[]> {
  const { envelopes } = (await (await fetch(`${control}/sentry/envelopes`)).json()) as { envelopes: string[] };
  return envelopes
    .flatMap((text) => {
      const lines = text.split('\n');
      const found: CheckIn[] = [];
      for (let i = 1; i + 1 < lines.length; i += 2) {
        const header = JSON.parse(lines[i]!) as { type?: string };
        if (header.type === 'check_in') found.push(JSON.parse(lines[i + 1]!) as CheckIn);
      }
      return found;
    })
    .filter((c) => c.monitor_slug === slug);
}

const envelopeText = async () =>
  ((await (await fetch(`${control}/sentry/envelopes`)).json()) as { envelopes: string[] }).envelopes.join('\n');

async function runScheduled(cron: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron, scheduledTime: Date.now() }), env as typeof testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

describe('Sentry cron check-ins', () => {
  beforeEach(async () => {
    await fetch(`${control}/sentry/envelopes`, { method: 'DELETE' });
  });

  it('the nightly run checks in as in progress, then ok, with its schedule', async () => {
    await runScheduled('0 2 * * *');
    const found = await eventually(
      () => checkIns('nightly-maintenance'),
      (c) => c.length >= 2,
    );
    expect(found.map((c) => c.status)).toEqual(['in_progress', 'ok']);
    const [started, ended] = found as [CheckIn, CheckIn];
    expect(ended.check_in_id).toBe(started.check_in_id);
    expect(ended.duration).toBeGreaterThan(0);
    expect(started.monitor_config).toMatchObject({
      schedule: { type: 'crontab', value: '0 2 * * *' },
      checkin_margin: 10,
      max_runtime: 15,
      timezone: 'Etc/UTC',
    });
  });

  it('the outbox drain checks in with its own schedule', async () => {
    await runScheduled('*/5 * * * *');
    const found = await eventually(
      () => checkIns('drain-event-outbox'),
      (c) => c.length >= 2,
    );
    expect(found.map((c) => c.status)).toEqual(['in_progress', 'ok']);
    expect(found[0]!.monitor_config).toMatchObject({ schedule: { type: 'crontab', value: '*/5 * * * *' } });
  });

  afterAll(() => stackControl('postgres', 'start'));

  it('a failing run checks in as error, and its error report carries no secret', async () => {
    await stackControl('postgres', 'stop');
    try {
      await runScheduled('0 2 * * *');
    } finally {
      await stackControl('postgres', 'start');
    }
    const found = await eventually(
      () => checkIns('nightly-maintenance'),
      (c) => c.length >= 2,
    );
    expect(found.map((c) => c.status)).toEqual(['in_progress', 'error']);
    const text = await envelopeText();
    expect(text).toContain('"type":"event"');
    expect(text).not.toMatch(/params:|postgres:\/\/|local-test-password/);
    await eventually(
      () =>
        db.execute(sql`select 1`).then(
          () => true,
          () => false,
        ),
      (up) => up,
      20_000,
    );
  });
});
