/**
 * What a run record says of the error that ended it: each message of its cause chain, scrubbed
 * (no statement parameters, emails, IPs or tokens: observability/scrub.ts), bounded. Drizzle's
 * "Failed query: <statement>" says nothing the run record's failed step does not, so it is cut to its
 * first words; the driver's own message (a timeout, a refused connection) is what an operator needs.
 */
import { scrubText } from '../observability/scrub';

const MAX = 500;
const QUERY_HEAD = 60;

export function runError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 4; depth++) {
    if (!(e instanceof Error)) {
      parts.push(typeof e === 'string' ? scrubText(e) : 'non-Error thrown');
      break;
    }
    parts.push(scrubText(`${e.name}: ${headOf(e.message)}`));
    e = (e as { cause?: unknown }).cause;
  }
  const text = parts.join(' <- ');
  return text.length <= MAX ? text : `${text.slice(0, MAX - 1)}…`;
}

function headOf(message: string): string {
  const failed = /^Failed query: ([\s\S]*)$/.exec(message);
  if (!failed) return message;
  const statement = (failed[1] ?? '')
    .replace(/\bparams:[\s\S]*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `Failed query: ${statement.slice(0, QUERY_HEAD)}${statement.length > QUERY_HEAD ? '…' : ''}`;
}
