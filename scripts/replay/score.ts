/**
 * The replay's three figures (issue 13), from what each request got and which security events were
 * written: attack episodes flagged before the attacker's first success, attacks stopped, and ordinary
 * users ever refused (429 or 423, or a right password or a live session turned away) or flagged.
 * Pure: the runner gathers outcomes and events.
 */
import type { AttackEpisode, BenignActor, Step } from './scenario.ts';

/** What one played step got. `at` is when its request left (ms since the epoch). */
export interface Outcome {
  actor: string;
  step: Step;
  status: number | 'skipped';
  at: number;
}

export interface RecordedEvent {
  type: string;
  userId: string | null;
  ip: string | null;
  at: number;
}

/** The event types that flag someone: detections and the blocks and locks they cause. */
export const DETECTIONS = new Set([
  'brute_force_detected',
  'distributed_brute_force_detected',
  'credential_stuffing_detected',
  'account_takeover_attempt',
  'geographic_anomaly',
  'suspicious_token_usage',
  'session_hijack_attempt',
  'bot_activity_detected',
  'ip_address_blocked',
  'user_account_locked',
  'rapid_token_refresh',
  'device_fingerprint_mismatch',
  'suspicious_activity',
]);

export interface EpisodeScore {
  id: string;
  kind: string;
  succeeded: boolean;
  flaggedBeforeSuccess: boolean;
}

export interface BenignScore {
  id: string;
  group: string;
  refused: boolean;
  flagged: boolean;
}

export interface ReplayScore {
  episodes: EpisodeScore[];
  benign: BenignScore[];
  flaggedBeforeSuccess: number;
  stopped: number;
  attacks: number;
  benignAffected: number;
  benignUsers: number;
}

const ok = (o: Outcome) => typeof o.status === 'number' && o.status >= 200 && o.status < 300;

export function scoreEpisode(
  episode: AttackEpisode,
  outcomes: Outcome[],
  events: RecordedEvent[],
  userIds: Map<string, string>,
): EpisodeScore {
  const mine = outcomes.filter((o) => o.actor === episode.id).sort((a, b) => a.at - b.at);
  const wins = mine.filter((o) => o.step.goal && ok(o));
  const success = wins[episode.successAfter - 1];
  const ips = new Set(episode.steps.map((s) => s.origin.ip));
  const victims = new Set(episode.victims.map((v) => userIds.get(v.email)).filter((id) => id !== undefined));
  const first = mine[0]?.at ?? 0;
  const related = events.filter(
    (e) =>
      DETECTIONS.has(e.type) &&
      e.at >= first &&
      ((e.ip !== null && ips.has(e.ip)) || (e.userId !== null && victims.has(e.userId))),
  );
  // Strictly before the request that succeeded: an alert raised by the success itself came too late.
  const flaggedBeforeSuccess = success ? related.some((e) => e.at < success.at) : related.length > 0;
  return { id: episode.id, kind: episode.kind, succeeded: success !== undefined, flaggedBeforeSuccess };
}

export function scoreBenign(
  actor: BenignActor,
  outcomes: Outcome[],
  events: RecordedEvent[],
  userIds: Map<string, string>,
): BenignScore {
  const mine = outcomes.filter((o) => o.actor === actor.id);
  const refused = mine.some((o) => {
    if (o.status === 429 || o.status === 423) return true;
    if (o.status === 'skipped') return false;
    // A right password or a live session turned away; a typo's 401 is the user's own.
    const right = o.step.kind !== 'login' || o.step.password === actor.account.password;
    return right && !ok(o);
  });
  const id = userIds.get(actor.account.email);
  const first = mine.reduce((min, o) => Math.min(min, o.at), Number.POSITIVE_INFINITY);
  const flagged = events.some((e) => DETECTIONS.has(e.type) && e.userId === id && e.at >= first);
  return { id: actor.id, group: actor.group, refused, flagged };
}

export function score(
  scenario: { benign: BenignActor[]; attacks: AttackEpisode[] },
  outcomes: Outcome[],
  events: RecordedEvent[],
  userIds: Map<string, string>,
): ReplayScore {
  const episodes = scenario.attacks.map((a) => scoreEpisode(a, outcomes, events, userIds));
  const benign = scenario.benign.map((b) => scoreBenign(b, outcomes, events, userIds));
  return {
    episodes,
    benign,
    flaggedBeforeSuccess: episodes.filter((e) => e.flaggedBeforeSuccess).length,
    stopped: episodes.filter((e) => !e.succeeded).length,
    attacks: episodes.length,
    benignAffected: benign.filter((b) => b.refused || b.flagged).length,
    benignUsers: benign.length,
  };
}

const pct = (n: number, of: number) => `${of === 0 ? 0 : ((100 * n) / of).toFixed(1)}%`;

/** The three figures, and where they came from (per attack kind, per benign group). */
export function report(s: ReplayScore): string {
  const lines = [
    `attack episodes flagged before the attacker's first success: ${s.flaggedBeforeSuccess}/${s.attacks} = ${pct(s.flaggedBeforeSuccess, s.attacks)}`,
    `attacks stopped: ${s.stopped}/${s.attacks} = ${pct(s.stopped, s.attacks)}`,
    `ordinary users ever refused (429/423) or flagged: ${s.benignAffected}/${s.benignUsers} = ${pct(s.benignAffected, s.benignUsers)}`,
    '',
    'per attack kind (flagged before success / stopped / episodes):',
  ];
  const kinds = [...new Set(s.episodes.map((e) => e.kind))];
  for (const kind of kinds) {
    const of = s.episodes.filter((e) => e.kind === kind);
    lines.push(
      `  ${kind.padEnd(28)} ${of.filter((e) => e.flaggedBeforeSuccess).length} / ${of.filter((e) => !e.succeeded).length} / ${of.length}`,
    );
  }
  lines.push('per benign group (refused / flagged / users):');
  for (const group of [...new Set(s.benign.map((b) => b.group))]) {
    const of = s.benign.filter((b) => b.group === group);
    lines.push(
      `  ${group.padEnd(28)} ${of.filter((b) => b.refused).length} / ${of.filter((b) => b.flagged).length} / ${of.length}`,
    );
  }
  return lines.join('\n');
}
