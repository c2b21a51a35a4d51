/**
 * Validation helpers shared by both Workers' route schemas. Lengths count Unicode code points
 * (the contract's rule), not UTF-16 units as String#length does.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { codePointLength } from '../passwords/password-policy';
import { ApiError } from './errors';
import { hasUnsafeCharacters } from '../events/event-sanitize';

/**
 * A string of `min` to `max` code points, judged after trimming surrounding whitespace (so a name of
 * spaces is empty), with no control character (U+0000-U+001F, U+007F) and no lone surrogate: the
 * contract's rule for text fields (Postgres refuses NUL outright). Secrets pass `{ trim: false }`: a
 * password's spaces (and any other character) are part of it, and it is never stored.
 */
export function text(min: number, max: number, options: { trim?: boolean } = {}) {
  const base =
    options.trim === false
      ? z.string()
      : z
          .string()
          .trim()
          .refine((s) => !hasUnsafeCharacters(s), {
            message: 'must not contain control characters or lone surrogates',
          });
  return base
    .refine((s) => codePointLength(s) >= min, {
      message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
    })
    .refine((s) => codePointLength(s) <= max, { message: `must be at most ${max} characters` })
    .openapi({ minLength: min, maxLength: max });
}

/** Turns a failed zod parse into the contract's 400, naming each field and what is wrong with it. */
export function validationHook(result: { success: boolean; error?: z.ZodError }, _c: Context): void {
  if (result.success || !result.error) return;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    problem:
      issue.code === 'invalid_type' ? `expected ${String((issue as { expected?: unknown }).expected)}` : issue.message,
  }));
  throw new ApiError('VALIDATION_ERROR', 'request body is invalid', { details });
}
