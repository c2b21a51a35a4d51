/** Alerts: open first, then acknowledged, then recently resolved; Acknowledge and Resolve, each confirmed. */
import { h, fmtTime, table } from '../dom';
import { query, type Api } from '../api';
import { confirmWithNote } from '../dialog';
import type { Alert } from '../types';

const STATUSES = ['open', 'acknowledged', 'resolved'] as const;

export function alertsView(root: HTMLElement, api: Api, report: (text: string) => void) {
  const lists = h('div');
  root.replaceChildren(h('h2', {}, 'Alerts'), lists);

  async function act(alert: Alert, action: 'ack' | 'resolve'): Promise<void> {
    const verb = action === 'ack' ? 'Acknowledge' : 'Resolve';
    const subject = alert.ip ?? alert.userId ?? alert.id;
    const note = await confirmWithNote(`${verb} alert ${alert.type} (${subject})?`, verb, action === 'ack');
    if (note === undefined) return;
    try {
      const body = action === 'ack' && note ? { note } : {};
      const updated = await api.post<Alert | { alert: Alert }>(
        `/alerts/${encodeURIComponent(alert.id)}/${action}`,
        body,
      );
      const status = 'alert' in updated ? updated.alert.status : updated.status;
      report(`Alert ${alert.type} is now ${status}.`);
    } catch (err) {
      report(`${verb} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await load();
  }

  function rows(alerts: Alert[]) {
    return alerts.map((a) => [
      a.type,
      h('span', { class: `sev sev-${a.severity}` }, a.severity),
      a.ip ?? a.userId ?? '-',
      String(a.count),
      `${fmtTime(a.firstSeen)} to ${fmtTime(a.lastSeen)}`,
      a.status === 'acknowledged' ? `acknowledged ${fmtTime(a.acknowledgedAt)}` : a.status,
      h(
        'span',
        { class: `delivery delivery-${a.delivery.status}` },
        `${a.delivery.status} (${a.delivery.attempts} attempts)`,
      ),
      h(
        'span',
        { class: 'row' },
        a.status === 'open'
          ? h('button', { type: 'button', 'data-alert': a.id, onclick: () => void act(a, 'ack') }, 'Acknowledge')
          : '',
        a.status !== 'resolved'
          ? h('button', { type: 'button', 'data-alert': a.id, onclick: () => void act(a, 'resolve') }, 'Resolve')
          : '',
      ),
    ]);
  }

  async function load(): Promise<void> {
    try {
      const replies = await Promise.all(
        STATUSES.map((status) => api.get<{ alerts: Alert[] }>(`/alerts${query({ status })}`)),
      );
      lists.replaceChildren(
        ...STATUSES.map((status, i) =>
          table(
            `${status[0]?.toUpperCase()}${status.slice(1)} alerts (${replies[i]?.alerts.length ?? 0})`,
            ['Type', 'Severity', 'Subject', 'Count', 'Seen', 'Status', 'Delivery', 'Actions'],
            rows(replies[i]?.alerts ?? []),
            `alerts alerts-${status}`,
          ),
        ),
      );
    } catch (err) {
      lists.replaceChildren(
        h('p', { class: 'note' }, `Alerts are not available: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }

  return { load };
}
