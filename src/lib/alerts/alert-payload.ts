/**
 * What a webhook post carries (contract: Alert delivery). `json`: the alert as the API shows it, the
 * event and the time, signed with HMAC-SHA256 over `TIMESTAMP.BODY`; `slack`: an incoming-webhook
 * message with blocks, within Slack's limits (50 blocks, 3,000 characters a section). Neither holds a
 * secret: alerts hold ids, addresses, counts and times, never an email, a token or a password.
 */
import type { AlertView } from './alert-view';
import type { WebhookSettings } from './alert-policy';

export type DeliveryEvent = 'opened' | 'resolved';

export interface WebhookPost {
  body: string;
  headers: Record<string, string>;
}

const SLACK_TEXT_MAX = 3000;
const clip = (text: string, max = SLACK_TEXT_MAX) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function slackMessage(alert: AlertView, event: DeliveryEvent, dashboardUrl: string | undefined) {
  const title =
    event === 'resolved'
      ? `Resolved: ${alert.type} (${alert.severity})`
      : `${alert.severity.toUpperCase()} alert: ${alert.type}`;
  const subject = alert.userId ? `user ${alert.userId}` : alert.ip ? `IP ${alert.ip}` : 'the service';
  const fields = [
    `*Rule*\n${alert.type}`,
    `*Severity*\n${alert.severity}`,
    `*Subject*\n${subject}`,
    `*Count*\n${alert.count}`,
    `*First seen*\n${alert.firstSeen}`,
    `*Last seen*\n${alert.lastSeen}`,
  ].map((text) => ({ type: 'mrkdwn', text: clip(text, 2000) }));
  const link = dashboardUrl ? `<${dashboardUrl}|Open the dashboard> · ` : '';
  return {
    text: clip(`${title} for ${subject} (${alert.count}×)`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
      { type: 'section', fields },
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${link}alert ${alert.id} · ${alert.status}`) }] },
    ],
  };
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** `sha256=HEX` of HMAC-SHA256 over `TIMESTAMP.BODY`: what a receiver recomputes to trust a post. */
export async function signature(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return `sha256=${hex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`)))}`;
}

export async function webhookPost(
  settings: WebhookSettings,
  alert: AlertView,
  event: DeliveryEvent,
  now: Date,
): Promise<WebhookPost> {
  if (settings.format === 'slack') {
    return {
      body: JSON.stringify(slackMessage(alert, event, settings.dashboardUrl)),
      headers: { 'content-type': 'application/json' },
    };
  }
  const body = JSON.stringify({ alert, event, sentAt: now.toISOString() });
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      ...(settings.secret ? { 'x-signature': await signature(settings.secret, timestamp, body) } : {}),
    },
  };
}
