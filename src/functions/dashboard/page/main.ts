/**
 * The security dashboard page: signs an admin in through the auth Worker (or takes a pasted access
 * token), then shows the overview, events, alerts and the admin actions from the dashboard API.
 */
import { byId } from './dom';
import { Api } from './api';
import { AuthFailure, Session } from './session';
import { overviewView } from './views/overview';
import { eventsView } from './views/events';
import { alertsView } from './views/alerts';
import { actView } from './views/act';

const TABS = ['overview', 'events', 'alerts', 'act'] as const;
type Tab = (typeof TABS)[number];

function notice(text: string): void {
  const el = byId('notice');
  el.textContent = text;
  el.hidden = !text;
}

async function authOrigin(): Promise<string> {
  const res = await fetch('/config.json');
  const config = (await res.json()) as { authOrigin?: string };
  return (config.authOrigin ?? '').replace(/\/$/, '');
}

async function boot(): Promise<void> {
  const session = new Session(await authOrigin());
  const api = new Api(session);
  const panels = Object.fromEntries(TABS.map((t) => [t, byId(`tab-${t}`)])) as Record<Tab, HTMLElement>;
  const events = eventsView(panels.events, api, (id) => void act.showUser(id).then(() => show('act')));
  const overview = overviewView(
    panels.overview,
    api,
    (type) => void events.filterBy({ type }).then(() => show('events')),
  );
  const alerts = alertsView(panels.alerts, api, notice);
  const act = actView(panels.act, api, (ip) => void events.filterBy({ ip }).then(() => show('events')));
  const loaders: Record<Tab, () => Promise<void>> = {
    overview: overview.load,
    events: events.load,
    alerts: alerts.load,
    act: act.load,
  };

  function show(tab: Tab): void {
    for (const t of TABS) panels[t].hidden = t !== tab;
    for (const b of byId('tabs').querySelectorAll<HTMLButtonElement>('button'))
      if (b.dataset.tab === tab) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
  }

  for (const b of byId('tabs').querySelectorAll<HTMLButtonElement>('button'))
    b.addEventListener('click', () => {
      const tab = b.dataset.tab as Tab;
      show(tab);
      loaders[tab]().catch((err: unknown) =>
        notice(`Could not load: ${err instanceof Error ? err.message : String(err)}`),
      );
    });

  function signedOut(message: string): void {
    session.clear();
    byId('app').hidden = true;
    byId('who').hidden = true;
    byId('sign-in').hidden = false;
    byId<HTMLInputElement>('password').value = '';
    byId<HTMLTextAreaElement>('token').value = '';
    notice(message);
  }
  session.onExpired = signedOut;

  /** Enters the dashboard when the API accepts the token as an admin's; a 403 is a non-admin. */
  async function enter(): Promise<void> {
    try {
      await overview.load();
    } catch (err) {
      if (err instanceof AuthFailure && err.status === 403) {
        await session.signOut();
        return signedOut('This account is not an administrator: the dashboard needs an admin account.');
      }
      if (err instanceof AuthFailure && err.status === 401) return signedOut('That token was refused; sign in again.');
      throw err;
    }
    notice('');
    byId('sign-in').hidden = true;
    byId('app').hidden = false;
    byId('who').hidden = false;
    byId('who-name').textContent = `Signed in: ${session.label}`;
    show('overview');
  }

  byId<HTMLFormElement>('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const email = byId<HTMLInputElement>('email').value.trim();
    const password = byId<HTMLInputElement>('password').value;
    byId<HTMLInputElement>('password').value = '';
    if (!email || !password) return notice('Enter your email and password.');
    notice('Signing in...');
    session
      .signIn(email, password)
      .then(enter)
      .catch((err: unknown) => {
        const message =
          err instanceof AuthFailure && err.status === 401
            ? 'Wrong email or password.'
            : String(err instanceof Error ? err.message : err);
        signedOut(`Sign-in failed: ${message}`);
      });
  });

  byId<HTMLFormElement>('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = byId<HTMLTextAreaElement>('token').value.trim();
    byId<HTMLTextAreaElement>('token').value = '';
    if (!token) return;
    session.useToken(token);
    enter().catch((err: unknown) =>
      signedOut(`Could not use the token: ${err instanceof Error ? err.message : String(err)}`),
    );
  });

  byId('sign-out').addEventListener('click', () => void session.signOut().then(() => signedOut('Signed out.')));
}

boot().catch((err: unknown) =>
  notice(`The dashboard could not start: ${err instanceof Error ? err.message : String(err)}`),
);
