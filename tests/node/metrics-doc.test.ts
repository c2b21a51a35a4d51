/**
 * docs/metrics.md gives each dashboard figure as the exact query it runs: this keeps the statement in
 * the doc the same as the one the code sends (rendered by drizzle's Postgres dialect, as the driver
 * receives it), and its parameters in the order the doc lists them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { figuresStatement, rollupFiguresStatement } from '../../src/lib/metrics/metrics-store';
import { repoRoot } from '../../scripts/stack/profile.ts';

const doc = readFileSync(join(repoRoot, 'docs/metrics.md'), 'utf8');

/** The fenced block that follows `<!-- name -->` in the doc. */
function block(name: string): string {
  const match = new RegExp(`<!-- ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!match?.[1]) throw new Error(`docs/metrics.md has no block marked <!-- ${name} -->`);
  return match[1];
}

describe('docs/metrics.md', () => {
  it('shows the metrics statement exactly as the code sends it', () => {
    const since = new Date('2026-12-01T10:37:12.345Z');
    const now = new Date('2026-12-02T10:37:12.345Z');
    const { sql, params } = new PgDialect().sqlToQuery(figuresStatement({ since, now, bucketMs: 15 * 60_000 }));
    expect(block('metrics-statement')).toBe(sql);
    // The parameters, in the order the doc's table gives them.
    expect(params).toEqual(['900 seconds', since, now, now, since, now]);
  });

  it('shows the rollup statement of the long windows exactly as the code sends it', () => {
    const since = new Date('2026-11-25T10:37:12.345Z');
    const now = new Date('2026-12-02T10:37:12.345Z');
    const hour = new Date('2026-11-25T11:00:00.000Z');
    const { sql, params } = new PgDialect().sqlToQuery(rollupFiguresStatement({ since, now, bucketMs: 3_600_000 }));
    expect(block('metrics-rollup-statement')).toBe(sql);
    expect(params).toEqual([
      hour,
      hour,
      now,
      hour,
      'events',
      '3600 seconds',
      '3600 seconds',
      since,
      now,
      now,
      now,
      since,
      since,
      now,
      now,
    ]);
  });
});
