/**
 * Opaque, tamper-evident page cursors for keyset pagination (the dashboard's events and sessions):
 * `base64url(JSON position) . base64url(HMAC-SHA256(key, position + filters))`. The position is where
 * the last page ended, in the list's sort order; the MAC also covers the filters the page was asked
 * with, so a cursor altered, forged, or reused with other filters is refused (the route answers 400)
 * instead of reaching a query. A cursor holds no secret and no time limit: a position is not one.
 */

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The HMAC key for cursors, derived (HKDF-SHA256) from a secret of the deployment under its own label. */
export async function cursorKey(secret: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: encoder.encode('edge-auth dashboard page cursor v1'),
    },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

/** What a cursor is bound to: the filters, in a canonical form (sorted keys, absent ones left out). */
export function canonicalFilters(filters: Record<string, string | undefined>): string {
  return JSON.stringify(
    Object.keys(filters)
      .sort()
      .filter((k) => filters[k] !== undefined)
      .map((k) => [k, filters[k]]),
  );
}

const signed = (position: string, filters: string) => encoder.encode(`${position}\n${filters}`);

export async function sealCursor(key: CryptoKey, position: unknown[], filters: string): Promise<string> {
  const body = JSON.stringify(position);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed(body, filters)));
  return `${base64url(encoder.encode(body))}.${base64url(mac)}`;
}

/** The position a cursor holds, or undefined when it is malformed, altered, or was made for other filters. */
export async function openCursor(key: CryptoKey, cursor: string, filters: string): Promise<unknown[] | undefined> {
  const [bodyPart, macPart, extra] = cursor.split('.');
  if (bodyPart === undefined || macPart === undefined || extra !== undefined) return undefined;
  const bodyBytes = fromBase64url(bodyPart);
  const mac = fromBase64url(macPart);
  if (!bodyBytes || !mac || mac.length !== 32) return undefined;
  const body = new TextDecoder().decode(bodyBytes);
  if (!(await crypto.subtle.verify('HMAC', key, mac, signed(body, filters)))) return undefined;
  try {
    const position: unknown = JSON.parse(body);
    return Array.isArray(position) ? position : undefined;
  } catch {
    return undefined;
  }
}
