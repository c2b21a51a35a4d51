import { describe, expect, it } from 'vitest';
import { runError } from './run-error';

describe('runError', () => {
  it('keeps the cause chain and drops statement parameters', () => {
    const cause = Object.assign(new Error('canceling statement due to statement timeout'), { name: 'NeonDbError' });
    const err = new Error(
      'Failed query: with batch as (select id from security_events where created_at < $1 limit $2)\nparams: 2026-09-01T00:00:00.000Z,2000',
      { cause },
    );
    const text = runError(err);
    expect(text).toBe(
      'Error: Failed query: with batch as (select id from security_events where created_… <- NeonDbError: canceling statement due to statement timeout',
    );
    expect(text).not.toContain('2026-09-01');
  });

  it('holds no email, IP or token', () => {
    const text = runError(
      new Error('user ada@example.com from 203.0.113.9 sent eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'),
    );
    expect(text).not.toMatch(/ada@example\.com|203\.0\.113\.9|eyJ/);
    expect(text).toContain('[redacted-email]');
  });

  it('is bounded', () => {
    expect(runError(new Error('word '.repeat(2000))).length).toBeLessThanOrEqual(500);
  });

  it('says something for a thrown non-Error', () => {
    expect(runError({ weird: true })).toBe('non-Error thrown');
    expect(runError('fetch failed')).toBe('fetch failed');
  });
});
