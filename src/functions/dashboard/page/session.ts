/**
 * The admin's session in this tab: tokens live in memory only (never localStorage or
 * sessionStorage, where any script on the origin could read them later), the access token is
 * refreshed a minute before it expires, and signing out ends the session on the auth Worker.
 */

export interface TokenReply {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; role: string };
}

export class AuthFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `exp` claim of a JWT (seconds), read without verifying: only to schedule a refresh. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

async function readError(res: Response): Promise<AuthFailure> {
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  return new AuthFailure(res.status, body.error ?? 'HTTP_' + res.status, body.message ?? res.statusText);
}

export class Session {
  private access: string | undefined;
  private refreshToken: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  label = '';
  /** Called when the session ends by itself (refresh refused, pasted token expired). */
  onExpired: (why: string) => void = () => {};

  constructor(private readonly authOrigin: string) {}

  get token(): string | undefined {
    return this.access;
  }

  async signIn(email: string, password: string): Promise<void> {
    const reply = await this.post('/api/auth/login', { email, password, deviceName: 'Security dashboard' });
    this.accept(reply);
  }

  /** A pasted access token: no refresh token, so it lasts until it expires. */
  useToken(token: string): void {
    this.stop();
    this.access = token.trim();
    this.refreshToken = undefined;
    this.label = 'access token';
    const exp = tokenExpiry(this.access);
    if (exp) this.schedule(exp, () => this.expire('the access token expired; sign in again'));
  }

  /** Exchanges the refresh token for a new pair; false when there is none or it was refused. */
  async refresh(): Promise<boolean> {
    if (!this.refreshToken) return false;
    try {
      this.accept(await this.post('/api/auth/refresh', { refreshToken: this.refreshToken }));
      return true;
    } catch {
      this.expire('your session ended; sign in again');
      return false;
    }
  }

  async signOut(): Promise<void> {
    const refreshToken = this.refreshToken;
    this.clear();
    // The auth Worker's logout is idempotent (204 even for an unknown token): fire and forget.
    if (refreshToken) await this.post('/api/auth/logout', { refreshToken }).catch(() => undefined);
  }

  clear(): void {
    this.stop();
    this.access = undefined;
    this.refreshToken = undefined;
    this.label = '';
  }

  private accept(reply: TokenReply): void {
    this.stop();
    this.access = reply.accessToken;
    this.refreshToken = reply.refreshToken;
    this.label = reply.user.email;
    const exp = tokenExpiry(reply.accessToken) ?? Date.now() / 1000 + reply.expiresIn;
    // Early enough that a request never leaves with an expired token: a minute before expiry, or a
    // quarter of the lifetime when that is shorter (the 60 s minimum ACCESS_TOKEN_TTL_SECONDS).
    this.schedule(exp - Math.min(60, reply.expiresIn / 4), () => void this.refresh());
  }

  private schedule(atSeconds: number, run: () => void): void {
    this.timer = setTimeout(run, Math.max(5_000, atSeconds * 1000 - Date.now()));
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(why: string): void {
    this.clear();
    this.onExpired(why);
  }

  private async post(path: string, body: unknown): Promise<TokenReply> {
    const res = await fetch(this.authOrigin + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
    if (!res.ok) throw await readError(res);
    return res.status === 204 ? (undefined as never) : ((await res.json()) as TokenReply);
  }
}
