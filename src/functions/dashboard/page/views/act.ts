/** Act: find a user by email (sessions, lock state, recent events) and act on them; lift IP blocks. Each action is confirmed. */
import { h, fmtTime, table } from '../dom';
import { query, type Api } from '../api';
import { confirmAction } from '../dialog';
import type { BlockedIp, LiveSession, SecurityEvent, User } from '../types';

interface UserView {
  user: User;
  sessions: LiveSession[];
  events: SecurityEvent[];
}

export function actView(root: HTMLElement, api: Api, showIp: (ip: string) => void) {
  const email = h('input', { id: 'find-email', type: 'email', autocomplete: 'off' });
  const result = h('p', { id: 'act-result', class: 'result', role: 'status', 'aria-live': 'polite' });
  const userBox = h('div', { id: 'user-box' });
  const blocks = h('div', { id: 'blocked-ips' });
  const minutes = h('input', { id: 'lock-minutes', type: 'number', min: 1, max: 525600, value: 30 });

  root.replaceChildren(
    h('h2', {}, 'Users and blocks'),
    result,
    h(
      'form',
      { class: 'row', 'aria-label': 'Find a user', onsubmit: (e: Event) => (e.preventDefault(), void find()) },
      h('label', { for: 'find-email' }, 'User email'),
      email,
      h('button', { type: 'submit' }, 'Find user'),
    ),
    userBox,
    h('h3', {}, 'Blocked IP addresses'),
    blocks,
  );

  const say = (text: string) => (result.textContent = text);
  const problem = (err: unknown) => (err instanceof Error ? err.message : String(err));

  /** Confirms, runs `action`, says what happened, and redraws. */
  async function confirmed(text: string, label: string, action: () => Promise<string>, redraw: () => Promise<void>) {
    if (!(await confirmAction(text, label))) return say(`${label}: cancelled.`);
    try {
      say(await action());
    } catch (err) {
      say(`${label} failed: ${problem(err)}`);
    }
    await redraw();
  }

  async function find(): Promise<void> {
    const address = email.value.trim();
    if (!address) return;
    try {
      const { users } = await api.get<{ users: User[] }>(`/users${query({ email: address })}`);
      if (!users[0]) {
        userBox.replaceChildren(h('p', {}, 'No user with that email.'));
        return;
      }
      await showUser(users[0].id);
    } catch (err) {
      userBox.replaceChildren(h('p', {}, `Could not look the user up: ${problem(err)}`));
    }
  }

  async function showUser(id: string): Promise<void> {
    const view = await api.get<UserView>(`/users/${encodeURIComponent(id)}`);
    const u = view.user;
    const redraw = () => showUser(id);
    const path = `/users/${encodeURIComponent(id)}`;
    const locked = u.lockedUntil && Date.parse(u.lockedUntil) > Date.now();
    userBox.replaceChildren(
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'user-title' },
        h('h3', { id: 'user-title' }, `${u.name} <${u.email}>`),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Id'),
          h('dd', {}, u.id),
          h('dt', {}, 'Role'),
          h('dd', {}, u.role),
          h('dt', {}, 'Locked'),
          h(
            'dd',
            { id: 'user-lock' },
            locked ? `until ${fmtTime(u.lockedUntil)} (${u.lockReason ?? 'no reason'})` : 'no',
          ),
        ),
        h(
          'div',
          { class: 'row wrap' },
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: () =>
                void confirmed(
                  `Revoke all ${view.sessions.length} live sessions of ${u.email}? They are signed out everywhere within a second.`,
                  'Revoke sessions',
                  async () =>
                    `Revoked ${(await api.post<{ revoked: number }>(`${path}/revoke-sessions`)).revoked} sessions.`,
                  redraw,
                ),
            },
            'Revoke sessions',
          ),
          h('label', { for: 'lock-minutes' }, 'Minutes'),
          minutes,
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: () =>
                void confirmed(
                  `Lock ${u.email} for ${minutes.value} minutes? Sign-ins are refused; open sessions stay.`,
                  'Lock',
                  async () => {
                    const r = await api.post<{ user: User }>(`${path}/lock`, { minutes: Number(minutes.value) });
                    return `Locked until ${fmtTime(r.user.lockedUntil)}.`;
                  },
                  redraw,
                ),
            },
            'Lock',
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                void confirmed(
                  `Unlock ${u.email}?`,
                  'Unlock',
                  async () => (await api.post<{ user: User }>(`${path}/unlock`), 'Unlocked.'),
                  redraw,
                ),
            },
            'Unlock',
          ),
        ),
        table(
          `Live sessions (${view.sessions.length})`,
          ['Device', 'IP', 'Country', 'Created', 'Last used'],
          view.sessions.map((s) => [
            s.deviceName ?? '-',
            s.ipAddress
              ? h('button', { type: 'button', class: 'link', onclick: () => showIp(s.ipAddress ?? '') }, s.ipAddress)
              : '-',
            s.country ?? '-',
            fmtTime(s.createdAt),
            fmtTime(s.lastUsedAt),
          ]),
        ),
        table(
          `Last ${view.events.length} events`,
          ['Time', 'Type', 'Severity', 'IP'],
          view.events.slice(0, 20).map((e) => [fmtTime(e.createdAt), e.type, e.severity, e.ip ?? '-']),
        ),
      ),
    );
  }

  async function loadBlocks(): Promise<void> {
    const { blockedIps } = await api.get<{ blockedIps: BlockedIp[] }>('/blocked-ips');
    const unblock = (b: BlockedIp) =>
      confirmed(
        `Unblock ${b.ip}? It may sign in again at once.`,
        'Unblock',
        async () => (await api.delete(`/blocked-ips/${encodeURIComponent(b.ip)}`), `Unblocked ${b.ip}.`),
        loadBlocks,
      );
    blocks.replaceChildren(
      blockedIps.length
        ? table(
            `${blockedIps.length} blocked now`,
            ['IP', 'Reason', 'Until', ''],
            blockedIps.map((b) => [
              h('button', { type: 'button', class: 'link', onclick: () => showIp(b.ip) }, b.ip),
              b.reason,
              fmtTime(b.until),
              h('button', { type: 'button', 'data-ip': b.ip, onclick: () => void unblock(b) }, 'Unblock'),
            ]),
            'blocks',
          )
        : h('p', {}, 'No IP address is blocked.'),
    );
  }

  return { load: loadBlocks, showUser };
}
