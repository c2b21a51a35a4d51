/** The dashboard's page cursors on the wire: opened into a list's position, or a 400 naming `cursor`. */
import { z } from '@hono/zod-openapi';
import { ApiError } from '../../lib/http/errors';
import { openCursor, sealCursor } from '../../lib/paging/cursor';

export const cursorParam = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({ description: 'nextCursor of the previous page, asked with the same filters' });

export const invalidQuery = (field: string, problem: string) =>
  new ApiError('VALIDATION_ERROR', 'request query is invalid', { details: [{ field, problem }] });

/**
 * The position `cursor` holds, checked by `read` (undefined: not a position of this list); no cursor,
 * no position (the first page). Anything else is a 400: a cursor is either ours, unaltered and for
 * these filters, or refused.
 */
export async function openPosition<T>(
  key: CryptoKey,
  cursor: string | undefined,
  filters: string,
  read: (position: unknown[]) => T | undefined,
): Promise<T | undefined> {
  if (cursor === undefined) return undefined;
  const opened = await openCursor(key, cursor, filters);
  const position = opened && read(opened);
  if (position === undefined) throw invalidQuery('cursor', 'is malformed, was altered, or belongs to other filters');
  return position;
}

export const nextCursor = (
  key: CryptoKey,
  position: unknown[] | undefined,
  filters: string,
): Promise<string | null> | null => (position ? sealCursor(key, position, filters) : null);

/** A position's time: Postgres's text of a timestamptz, as the lists write it. */
export const isPositionTime = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));
