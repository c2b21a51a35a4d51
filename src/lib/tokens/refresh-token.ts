import { sha256Hex } from '../sha256';

/**
 * Refresh tokens are opaque: 32 random bytes (256 bits), base64url. The database holds only their
 * SHA-256, so a leaked table cannot be replayed.
 */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** A token of the wrong shape is refused before any database work. */
export const isWellFormedRefreshToken = (token: string): boolean => TOKEN_PATTERN.test(token);

export const hashRefreshToken = (token: string): Promise<string> => sha256Hex(token);
