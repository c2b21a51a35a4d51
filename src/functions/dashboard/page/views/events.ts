/** Events: the security-event timeline with the API's filters, paged by nextCursor; a user or an IP filters by it. */
import { h, clear, fmtTime } from '../dom';
import { query, type Api } from '../api';
import type { SecurityEvent } from '../types';

export interface EventFilters {
  type?: string;
  severity?: string;
  userId?: string;
  ip?: string;
  from?: string;
  to?: string;
}

const FIELDS = ['type', 'severity', 'userId', 'ip', 'from', 'to'] as const;
const LABELS: Record<(typeof FIELDS)[number], string> = {
  type: 'Type',
  severity: 'Severity',
  userId: 'User id',
  ip: 'IP address',
  from: 'From (UTC)',
  to: 'To (UTC)',
};

/** A datetime-local value read as UTC (the page shows UTC everywhere), as ISO-8601; '' stays unset. */
function isoOf(local: string): string | undefined {
  return local ? new Date(`${local}Z`).toISOString() : undefined;
}

function input(name: (typeof FIELDS)[number]): HTMLInputElement | HTMLSelectElement {
  const id = `filter-${name}`;
  if (name === 'severity')
    return h(
      'select',
      { id, name },
      ...['', 'info', 'warning', 'high', 'critical'].map((s) => h('option', { value: s }, s || 'any')),
    );
  return h('input', {
    id,
    name,
    type: name === 'from' || name === 'to' ? 'datetime-local' : 'text',
    step: name === 'from' || name === 'to' ? 1 : undefined,
    autocomplete: 'off',
  });
}

export function eventsView(root: HTMLElement, api: Api, showUser: (userId: string) => void) {
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, input(f)])) as Record<
    (typeof FIELDS)[number],
    HTMLInputElement | HTMLSelectElement
  >;
  const body = h('tbody');
  const status = h('p', { class: 'note', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => void page() }, 'Load more');
  let cursor: string | null = null;
  let active: EventFilters = {};
  // Each search starts a new generation; a reply of an earlier one (a slow unfiltered load that
  // lands after the filtered one) is dropped instead of appended to the new search's rows.
  let generation = 0;

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Event filters', onsubmit: (e: Event) => (e.preventDefault(), void search()) },
    ...FIELDS.map((f) => h('div', { class: 'field' }, h('label', { for: `filter-${f}` }, LABELS[f]), inputs[f])),
    h(
      'div',
      { class: 'field actions' },
      h('button', { type: 'submit' }, 'Filter'),
      h('button', { type: 'button', onclick: () => filterBy({}) }, 'Clear'),
    ),
  );
  root.replaceChildren(
    h('h2', {}, 'Events'),
    form,
    status,
    h(
      'table',
      { class: 'events' },
      h('caption', {}, 'Security events, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Time', 'Type', 'Severity', 'User', 'IP', 'Country', 'Details'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    more,
  );

  function row(e: SecurityEvent): HTMLTableRowElement {
    const user = e.userId
      ? h(
          'button',
          {
            type: 'button',
            class: 'link',
            title: 'Filter by this user',
            'aria-label': `Filter events by user ${e.userId}`,
            onclick: () => filterBy({ userId: e.userId ?? '' }),
          },
          e.userId.slice(0, 8),
        )
      : '-';
    const ip = e.ip
      ? h(
          'button',
          {
            type: 'button',
            class: 'link',
            title: 'Filter by this IP',
            'aria-label': `Filter events by IP ${e.ip}`,
            onclick: () => filterBy({ ip: e.ip ?? '' }),
          },
          e.ip,
        )
      : '-';
    const details = e.metadata && Object.keys(e.metadata).length ? JSON.stringify(e.metadata) : '';
    return h(
      'tr',
      { 'data-event-type': e.type },
      h('td', {}, fmtTime(e.createdAt)),
      h('td', {}, e.type),
      h('td', {}, h('span', { class: `sev sev-${e.severity}` }, e.severity)),
      h(
        'td',
        {},
        user,
        e.userId
          ? h(
              'button',
              {
                type: 'button',
                class: 'link small',
                'aria-label': `Open user ${e.userId}`,
                onclick: () => showUser(e.userId ?? ''),
              },
              'open',
            )
          : '',
      ),
      h('td', {}, ip),
      h('td', {}, e.country ?? '-'),
      h('td', { class: 'meta' }, details.length > 160 ? `${details.slice(0, 160)}...` : details),
    );
  }

  async function page(): Promise<void> {
    const asked = generation;
    const reply = await api.get<{ events: SecurityEvent[]; nextCursor: string | null }>(
      `/events${query({ ...active, limit: 50, cursor: cursor ?? undefined })}`,
    );
    if (asked !== generation) return;
    body.append(...reply.events.map(row));
    cursor = reply.nextCursor;
    more.hidden = !cursor;
    status.textContent = `${body.rows.length} events shown${cursor ? '; more below' : ''}.`;
  }

  async function search(): Promise<void> {
    active = {};
    for (const f of FIELDS) {
      const raw = inputs[f].value.trim();
      const value = f === 'from' || f === 'to' ? isoOf(raw) : raw || undefined;
      if (value) active[f] = value;
    }
    cursor = null;
    generation += 1;
    clear(body);
    try {
      await page();
    } catch (err) {
      status.textContent = `Could not load events: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Sets the filters (others cleared) and searches: a click on a user or an IP lands here. */
  function filterBy(filters: EventFilters): Promise<void> {
    for (const f of FIELDS) {
      const v = filters[f] ?? '';
      inputs[f].value = f === 'from' || f === 'to' ? v.slice(0, 19) : v;
    }
    return search();
  }

  return { load: search, filterBy };
}
