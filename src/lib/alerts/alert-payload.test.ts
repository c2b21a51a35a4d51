import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signature, slackMessage, webhookPost } from './alert-payload';
import { alertSettingsFrom, severitiesFrom } from './alert-policy';
import type { AlertView } from './alert-view';

const alert: AlertView = {
  id: '5f0c1a52-9d7e-4a59-8d0e-0c7c1c1f2a11',
  type: 'brute_force_detected',
  severity: 'high',
  userId: null,
  ip: '203.0.113.7',
  count: 12,
  firstSeen: '2026-12-07T10:00:00.000Z',
  lastSeen: '2026-12-07T10:04:00.000Z',
  status: 'open',
  acknowledgedBy: null,
  acknowledgedAt: null,
  ackNote: null,
  resolvedAt: null,
  resolvedBy: null,
  delivery: { status: 'pending', attempts: 1 },
};

describe('signature', () => {
  it('is HMAC-SHA256 over TIMESTAMP.BODY, hex, prefixed sha256=', async () => {
    const expected = createHmac('sha256', 'a secret of sixteen+').update('1700000000.{"a":1}').digest('hex');
    expect(await signature('a secret of sixteen+', '1700000000', '{"a":1}')).toBe(`sha256=${expected}`);
  });
});

describe('webhookPost', () => {
  const now = new Date('2026-12-07T10:05:00Z');
  it('signs the json format with the timestamp it sends', async () => {
    const settings = {
      url: 'https://hooks.example/x',
      format: 'json' as const,
      secret: 's'.repeat(16),
      dashboardUrl: undefined,
    };
    const post = await webhookPost(settings, alert, 'opened', now);
    expect(JSON.parse(post.body)).toEqual({ alert, event: 'opened', sentAt: now.toISOString() });
    expect(post.headers['x-timestamp']).toBe(String(now.getTime() / 1000));
    expect(post.headers['x-signature']).toBe(await signature('s'.repeat(16), post.headers['x-timestamp']!, post.body));
  });

  it('posts Slack blocks without a signature, clipped to Slack limits', async () => {
    const long = { ...alert, type: 'x'.repeat(5000) };
    const message = slackMessage(long, 'resolved', undefined);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect((message.blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(150);
    expect(JSON.stringify(message)).not.toContain('Open the dashboard');
    const settings = {
      url: 'https://hooks.slack.com/x',
      format: 'slack' as const,
      secret: undefined,
      dashboardUrl: undefined,
    };
    expect((await webhookPost(settings, alert, 'opened', now)).headers).toEqual({ 'content-type': 'application/json' });
  });
});

describe('alert settings', () => {
  it('lists the severities posted from the minimum up', () => {
    expect(severitiesFrom('high')).toEqual(['high', 'critical']);
    expect(severitiesFrom('warning')).toEqual(['warning', 'high', 'critical']);
  });

  it('posts nothing without a URL, and says so in the policy', () => {
    const env = {
      ALERT_WEBHOOK_FORMAT: 'json' as const,
      ALERT_MIN_SEVERITY: 'high' as const,
      ALERT_REPEAT_SECONDS: 3600,
      ALERT_AUTO_RESOLVE_SECONDS: 86_400,
    };
    expect(alertSettingsFrom(env)).toMatchObject({ webhook: undefined, policy: { delivers: false } });
    expect(alertSettingsFrom({ ...env, ALERT_WEBHOOK_URL: 'https://hooks.example/x' }).policy.delivers).toBe(true);
  });
});
