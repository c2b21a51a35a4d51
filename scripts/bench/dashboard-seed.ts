/**
 * The data `npm run bench:dashboard` measures on, written straight into Postgres with generate_series
 * (1,000,000 events in about 20 s here): users, 30 days of security events in the proportions a
 * running service writes them, sessions in every state, and alerts in every status.
 *
 * - Event types by weight (below): mostly refreshes, sign-ins and their token_generated, then failed
 *   logins, refused tokens, rate limits and the rarer detections; severities as the code records them.
 * - Users skewed (the square of a uniform draw): a few busy accounts, a long tail.
 * - IPs: 5,000 ordinary addresses; half of the attack-shaped events come from 5 attacker addresses.
 * - Times spread over the last 30 days and written in time order, as an append-only log is, so the
 *   table's physical order follows created_at as in production.
 * - Folded rows (rate_limit_exceeded, token_verification_failed) carry foldReason and a count 1-16.
 */
import type pg from 'pg';
import { EVENT_SEVERITY, type EventType } from '../../src/lib/events/event-types.ts';

export interface SeedSize {
  events: number;
  sessions: number;
  users: number;
}

/** Per 1,000 events. */
const MIX: Array<[EventType, number]> = [
  ['token_refreshed', 350],
  ['token_generated', 125],
  ['login_success', 95],
  ['oauth_success', 20],
  ['signup_success', 10],
  ['failed_login_attempt', 80],
  ['login_failed', 40],
  ['oauth_failed', 5],
  ['signup_failed', 5],
  ['token_invalid', 50],
  ['token_expired', 30],
  ['token_verification_failed', 30],
  ['rate_limit_exceeded', 30],
  ['logout', 50],
  ['token_revoked', 10],
  ['mass_token_revocation', 3],
  ['suspicious_activity', 30],
  ['multiple_device_login', 10],
  ['bot_activity_detected', 5],
  ['ip_address_blocked', 5],
  ['brute_force_detected', 5],
  ['device_fingerprint_mismatch', 3],
  ['geographic_anomaly', 3],
  ['rapid_token_refresh', 2],
  ['user_account_locked', 1],
  ['session_hijack_attempt', 1],
  ['account_takeover_attempt', 1],
  ['admin_action', 1],
];

const FOLDED: EventType[] = ['rate_limit_exceeded', 'token_verification_failed'];
const ANONYMOUS: EventType[] = [
  'login_failed',
  'oauth_failed',
  'signup_failed',
  'token_invalid',
  'token_verification_failed',
  'rate_limit_exceeded',
  'suspicious_activity',
  'bot_activity_detected',
  'ip_address_blocked',
];
const ATTACK_SHAPED: EventType[] = [
  'failed_login_attempt',
  'login_failed',
  'brute_force_detected',
  'ip_address_blocked',
  'rate_limit_exceeded',
  'bot_activity_detected',
  'token_verification_failed',
];

/** The busiest user's id and the first attacker IP: what the events cases filter on. */
export const BUSY_USER_ID_SQL = `md5('bench-user-1')::uuid`;
export const ATTACKER_IP = '203.0.113.1';

export async function seedDashboardData(
  client: pg.Client,
  size: SeedSize,
  timed: <T>(what: string, work: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const slots = MIX.flatMap(([type, weight]) => Array.from({ length: weight }, () => type));
  if (slots.length !== 1000) throw new Error(`the event mix adds up to ${slots.length}, not 1000`);
  const mix = slots.map((type, slot) => ({
    slot,
    type,
    severity: EVENT_SEVERITY[type],
    has_user: !ANONYMOUS.includes(type),
    folded: FOLDED.includes(type),
    attack: ATTACK_SHAPED.includes(type),
  }));
  await client.query(
    `create temp table bench_mix as select * from json_to_recordset($1::json)
    as m(slot int, type text, severity text, has_user boolean, folded boolean, attack boolean)`,
    [JSON.stringify(mix)],
  );

  await timed(`${size.users} users`, () =>
    client.query(
      `
    insert into users (id, email, name, created_at)
    select md5('bench-user-' || n)::uuid, 'bench-user-' || n || '@example.com', 'Bench ' || n, now() - interval '60 days'
      from generate_series(1, $1::int) n`,
      [size.users],
    ),
  );

  await timed(`${size.events} events over 30 days`, () =>
    client.query(
      `
    insert into security_events (event_type, severity, user_id, ip_address, user_agent, country, metadata, created_at)
    select m.type, m.severity,
           case when m.has_user then md5('bench-user-' || r.u)::uuid end,
           case when m.attack and r.x < 0.5 then '203.0.113.' || (1 + r.g % 5)
                else '198.51.' || (r.g % 20) || '.' || (1 + (r.g / 20) % 250) end,
           (array['Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1) Safari/604.1', 'okhttp/4.12.0'])[1 + r.g % 3],
           (array['NL', 'US', 'DE', 'FR', 'BR', 'IN', 'JP', 'GB'])[1 + r.g % 8],
           case when m.folded then jsonb_build_object('foldReason', 'POST /api/auth/login', 'count', 1 + floor(r.x * 16)::int, 'route', 'POST /api/auth/login')
                else jsonb_build_object('route', 'POST /api/auth/login') end,
           r.at
      from (select g, floor(random() * 1000)::int as slot, 1 + floor(power(random(), 2) * $2::int)::int as u, random() as x,
                   now() - interval '30 days' + (g - random()) * (interval '30 days' / $1::int) as at
              from generate_series(1, $1::int) g) r
      join bench_mix m on m.slot = r.slot`,
      [size.events, size.users],
    ),
  );

  // Half live (idle expiry within 7 days ahead), 30% revoked within retention, 20% expired unrevoked.
  await timed(`${size.sessions} sessions`, () =>
    client.query(
      `
    insert into sessions (user_id, device_name, device_fingerprint, ip_address, user_agent, country, city,
                          created_at, last_used_at, expires_at, idle_expires_at, revoked_at, revoked_reason)
    select md5('bench-user-' || (1 + floor(power(random(), 2) * $2::int)::int))::uuid,
           (array['Laptop', 'Phone', 'Tablet'])[1 + g % 3], md5('fp' || g), '198.51.' || (g % 20) || '.' || (1 + g % 250),
           'Mozilla/5.0 Chrome/131.0', (array['NL', 'US', 'DE', 'FR'])[1 + g % 4], 'City',
           now() - interval '20 days', now() - (g % 10000) * interval '1 minute', now() + interval '10 days',
           case when g % 10 < 8 then now() + random() * interval '7 days' else now() - random() * interval '1 day' end,
           case when g % 10 between 5 and 7 then now() - random() * interval '20 days' end,
           case when g % 10 between 5 and 7 then 'logout' end
      from generate_series(1, $1::int) g`,
      [size.sessions, size.users],
    ),
  );

  await client.query(`
    insert into security_alerts (type, severity, subject, ip, count, first_seen, last_seen, status)
    select 'brute_force_detected', 'high', '198.51.100.' || g, '198.51.100.' || g, 5 + g % 20, now() - interval '2 days', now() - g * interval '10 minutes',
           case when g % 5 = 0 then 'open' when g % 5 = 1 then 'acknowledged' else 'resolved' end
      from generate_series(1, 200) g`);
  // What autovacuum would have done to a table this old: statistics, and the visibility map.
  await timed('vacuum analyze', () => client.query('vacuum analyze'));
}
