/**
 * Postgres refused a statement for what it held (a data, integrity or syntax error: SQLSTATE classes
 * 22, 23, 42, 54), as opposed to being out of reach. Retrying such a statement can never succeed; an
 * outage can. Drizzle wraps the driver's error, so the cause chain is searched.
 */
const REJECTED_SQLSTATE = /^(22|23|42|54)/;

export function isRejectedByDatabase(err: unknown): boolean {
  for (
    let e: unknown = err, depth = 0;
    e instanceof Error && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && REJECTED_SQLSTATE.test(code)) return true;
  }
  return false;
}
