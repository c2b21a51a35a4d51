/** Overview: tiles for a range, logins over time, busiest event types, live sessions by device and country. */
import { h, clear, fmtNumber, fmtPercent, table } from '../dom';
import { query, type Api } from '../api';
import type { Alert, LiveSession, Metrics } from '../types';
import { renderChart } from './chart';

const RANGES = ['1h', '12h', '24h', '7d', '30d'] as const;

interface Tile {
  id: string;
  title: string;
  value: string;
  note: string;
}

/** The tiles' figures, each from the API's own numbers (docs/metrics.md defines them). */
export function tilesOf(m: Metrics, failingDeliveries: number | undefined): Tile[] {
  const authEvents = m.successfulLogins + m.failedLogins + m.tokenRefreshes;
  const threats = m.failedLogins + m.rateLimitViolations;
  return [
    {
      id: 'auth-events',
      title: 'Auth events',
      value: fmtNumber(authEvents),
      note: 'logins (both outcomes) and refreshes',
    },
    {
      id: 'failed-logins',
      title: 'Failed logins',
      value: fmtNumber(m.failedLogins),
      note: 'wrong password or unknown user',
    },
    {
      id: 'threat-share',
      title: 'Threat share of traffic',
      value: fmtPercent(threats, authEvents + m.rateLimitViolations),
      note: 'failed logins and rate-limit refusals among auth requests',
    },
    {
      id: 'live-sessions',
      title: 'Live sessions',
      value: fmtNumber(m.activeSessions),
      note: `${fmtNumber(m.activeUsers)} users active in the range`,
    },
    { id: 'active-blocks', title: 'Active blocks', value: fmtNumber(m.blockedIps), note: 'IP addresses blocked now' },
    { id: 'open-alerts', title: 'Open alerts', value: fmtNumber(m.openAlerts), note: 'not yet acknowledged' },
    {
      id: 'failing-deliveries',
      title: 'Alert deliveries failing',
      value: failingDeliveries === undefined ? 'n/a' : fmtNumber(failingDeliveries),
      note:
        failingDeliveries === undefined
          ? 'alerts API not available'
          : 'open or acknowledged alerts whose webhook post failed',
    },
  ];
}

function tileElement(t: Tile): HTMLElement {
  const titleId = `tile-${t.id}-title`;
  return h(
    'section',
    { class: 'tile', role: 'region', 'aria-labelledby': titleId, 'data-tile': t.id },
    h('h3', { id: titleId }, t.title),
    h('p', { class: 'figure' }, t.value),
    h('p', { class: 'note' }, t.note),
  );
}

async function failingDeliveries(api: Api): Promise<number | undefined> {
  try {
    const lists = await Promise.all(
      ['open', 'acknowledged'].map((status) => api.get<{ alerts: Alert[] }>(`/alerts${query({ status })}`)),
    );
    return lists.flatMap((l) => l.alerts).filter((a) => a.delivery?.status === 'failed').length;
  } catch {
    return undefined;
  }
}

/** Up to 1,000 live sessions (5 pages), counted by device and by country. */
async function liveSessions(api: Api): Promise<{ sessions: LiveSession[]; more: boolean }> {
  const sessions: LiveSession[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page += 1) {
    const reply = await api.get<{ sessions: LiveSession[]; nextCursor: string | null }>(
      `/sessions${query({ limit: 200, cursor })}`,
    );
    sessions.push(...reply.sessions);
    if (!reply.nextCursor) return { sessions, more: false };
    cursor = reply.nextCursor;
  }
  return { sessions, more: true };
}

function countBy(items: LiveSession[], key: (s: LiveSession) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
}

/** A horizontal bar per row, drawn in SVG (attributes, not inline styles: the CSP allows no style attribute). */
function bar(value: number, max: number): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', '120');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  const rect = document.createElementNS(ns, 'rect');
  rect.setAttribute('width', String(max > 0 ? Math.max(1, (120 * value) / max) : 0));
  rect.setAttribute('height', '12');
  rect.setAttribute('class', 'bar');
  svg.append(rect);
  return svg;
}

function breakdown(caption: string, head: string, rows: [string, number][]): HTMLTableElement {
  const max = rows[0]?.[1] ?? 0;
  return table(
    caption,
    [head, 'Count', ''],
    rows.map(([k, n]) => [k, fmtNumber(n), bar(n, max)]),
    'breakdown',
  );
}

export function overviewView(root: HTMLElement, api: Api, onFilterType: (type: string) => void) {
  let range: (typeof RANGES)[number] = '24h';
  const tiles = h('div', { class: 'tiles', 'aria-live': 'polite' });
  const chart = h('div', { class: 'chart-host' });
  const top = h('div', { class: 'half' });
  const sessions = h('div', { class: 'half' });
  const picker = h(
    'div',
    { class: 'ranges', role: 'group', 'aria-label': 'Range' },
    ...RANGES.map((r) =>
      h(
        'button',
        { type: 'button', 'data-range': r, 'aria-pressed': String(r === range), onclick: () => select(r) },
        r,
      ),
    ),
  );
  root.replaceChildren(
    h('div', { class: 'row spread' }, h('h2', {}, 'Overview'), picker),
    tiles,
    h('h3', {}, 'Logins and refreshes over time'),
    chart,
    h('div', { class: 'row wrap' }, top, sessions),
  );

  function select(r: (typeof RANGES)[number]) {
    range = r;
    for (const b of picker.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.range === r));
    void load();
  }

  // A reply for a range no longer selected (its load overtaken by a later click) is dropped, so the
  // figures shown are always the pressed range's.
  let generation = 0;

  async function load(): Promise<void> {
    const asked = ++generation;
    const [metrics, failing, live] = await Promise.all([
      api.get<Metrics>(`/metrics${query({ window: range })}`),
      failingDeliveries(api),
      liveSessions(api),
    ]);
    if (asked !== generation) return;
    clear(tiles, ...tilesOf(metrics, failing).map(tileElement));
    renderChart(chart, metrics);
    const maxTop = metrics.topEvents[0]?.count ?? 0;
    clear(
      top,
      table(
        `Top event types (${range})`,
        ['Type', 'Count', ''],
        metrics.topEvents.map((e) => [
          h('button', { type: 'button', class: 'link', onclick: () => onFilterType(e.type) }, e.type),
          fmtNumber(e.count),
          bar(e.count, maxTop),
        ]),
        'breakdown',
      ),
    );
    const note = live.more ? ' (first 1,000)' : '';
    clear(
      sessions,
      breakdown(
        `Live sessions by device${note}`,
        'Device',
        countBy(live.sessions, (s) => s.deviceName || 'unnamed'),
      ),
      breakdown(
        `Live sessions by country${note}`,
        'Country',
        countBy(live.sessions, (s) => s.country || 'unknown'),
      ),
    );
  }

  return { load };
}
