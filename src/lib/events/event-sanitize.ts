/**
 * What an event row may hold of what a client sent: bounded strings with no control characters and
 * no lone surrogates (Postgres refuses U+0000 in text and jsonb, and one such event would otherwise
 * fail its whole batch, in the insert and again in every outbox drain), and metadata of bounded size.
 */

// C0 controls, DEL, and UTF-16 halves without their partner. Matching control characters is the point.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const EVENT_TEXT_MAX = 256;
const METADATA_MAX_KEYS = 24;
const METADATA_MAX_ITEMS = 24;
const METADATA_MAX_DEPTH = 3;

/** True when `text` holds a control character or a lone surrogate (the contract refuses both). */
export function hasUnsafeCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/** `text` with each unsafe character replaced by U+FFFD, cut to `max` code points. */
export function sanitizeText(text: string, max = EVENT_TEXT_MAX): string {
  const clean = text.replace(UNSAFE, '\uFFFD');
  const points = Array.from(clean);
  return points.length <= max ? clean : `${points.slice(0, max - 1).join('')}…`;
}

export const sanitizeOptionalText = (text: string | null, max = EVENT_TEXT_MAX): string | null =>
  text === null ? null : sanitizeText(text, max);

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= METADATA_MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, METADATA_MAX_ITEMS).map((item) => sanitizeValue(item, depth + 1));
  if (typeof value === 'object') return sanitizeMetadata(value as Record<string, unknown>, depth + 1);
  return null; // undefined, functions, symbols, bigints: nothing jsonb should hold
}

/** Metadata that Postgres's jsonb will take, whatever a request put in it. */
export function sanitizeMetadata(metadata: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata).slice(0, METADATA_MAX_KEYS)) {
    if (value === undefined) continue;
    clean[sanitizeText(key, 64)] = sanitizeValue(value, depth);
  }
  return clean;
}
