/** The dashboard API (same origin), with the session's access token; one refresh and retry on a 401. */
import { AuthFailure, type Session } from './session';

export const SECURITY = '/api/auth/security';

export class Api {
  constructor(private readonly session: Session) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const token = this.session.token;
    if (!token) throw new AuthFailure(401, 'UNAUTHORIZED', 'not signed in');
    const res = await fetch(SECURITY + path, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // A token that expired between the scheduled refresh and now (a laptop lid closed): refresh once.
    if (res.status === 401 && !retried && (await this.session.refresh())) return this.call(method, path, body, true);
    if (!res.ok) {
      const err = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
      throw new AuthFailure(res.status, err.error ?? `HTTP_${res.status}`, err.message ?? res.statusText);
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
}

/** Query string of the set values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
