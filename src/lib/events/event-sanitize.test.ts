import { describe, expect, it } from 'vitest';
import { hasUnsafeCharacters, sanitizeMetadata, sanitizeText } from './event-sanitize';

describe('event sanitising', () => {
  it('finds control characters and lone surrogates, not paired ones', () => {
    for (const bad of ['a\u0000b', 'tab\there', 'del\u007F', 'lone \uD800 high', 'lone \uDC00 low', '\uDC00\uD800']) {
      expect(hasUnsafeCharacters(bad), JSON.stringify(bad)).toBe(true);
    }
    for (const good of ['Ada’s laptop', 'emoji 😀', 'Zoë', '']) expect(hasUnsafeCharacters(good)).toBe(false);
  });

  it('replaces unsafe characters and bounds the length in code points', () => {
    expect(sanitizeText('/api/auth/sessions/\u0000\uD800x')).toBe('/api/auth/sessions/\uFFFD\uFFFDx');
    const long = sanitizeText('😀'.repeat(1000), 10);
    expect(Array.from(long)).toHaveLength(10);
  });

  it('bounds metadata and keeps only what jsonb takes', () => {
    const deep = { a: { b: { c: { d: 'too deep' } } } };
    const clean = sanitizeMetadata({
      route: 'x\u0000',
      n: Number.NaN,
      at: new Date(0),
      f: () => 1,
      deep,
      many: Array.from({ length: 100 }, (_, i) => i),
    });
    expect(clean).toEqual({
      route: 'x\uFFFD',
      n: null,
      at: '1970-01-01T00:00:00.000Z',
      f: null,
      deep: { a: { b: { c: '[nested]' } } },
      many: Array.from({ length: 24 }, (_, i) => i),
    });
    expect(JSON.stringify(clean)).not.toContain('\\u0000');
  });
});
