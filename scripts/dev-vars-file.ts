/**
 * The .dev.vars text format, as wrangler dev reads it (dotenv's grammar: `KEY=value`, `export KEY=`,
 * `KEY: value`, single, double or backtick quotes, multi-line quoted values, `#` comments; the last
 * assignment of a key wins), and a merge that rewrites only the values it is asked to, so that
 * everything a developer wrote (comments, blank lines, order, other keys) survives `npm run dev`.
 * Pure: text in, text out.
 */

/** One assignment: its key, its value as dotenv reads it, and where its raw value sits in the text. */
interface Assignment {
  key: string;
  value: string;
  /** The raw value's span (quotes included); an empty span right after `=` when there is no value. */
  valueStart: number;
  valueEnd: number;
}

// dotenv's line grammar, with its value in a group of its own so its span can be replaced.
const ASSIGNMENT =
  /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/dgm;

function decode(raw: string): string {
  const trimmed = raw.replace(/\r\n?/g, '\n').trim(); // dotenv reads CRLF files as LF
  const unquoted = trimmed.replace(/^(['"`])([\s\S]*)\1$/m, '$2');
  return trimmed.startsWith('"') ? unquoted.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : unquoted;
}

function assignments(text: string): Assignment[] {
  const found: Assignment[] = [];
  for (const match of text.matchAll(ASSIGNMENT)) {
    const [, key, raw] = match;
    const indices = match.indices;
    if (!key || !indices) continue;
    // No value (`KEY=`): an empty span where the value would start, after the separator.
    const keyEnd = indices[1]?.[1] ?? match.index;
    const separator = /^(\s*=[ \t]*|:[ \t]+)/.exec(text.slice(keyEnd))?.[0].length ?? 0;
    const [valueStart, valueEnd] = indices[2] ?? [keyEnd + separator, keyEnd + separator];
    found.push({ key, value: raw === undefined ? '' : decode(raw), valueStart, valueEnd });
  }
  return found;
}

/** The value wrangler dev would read for `key` (the last assignment wins), or undefined. */
export function readDevVar(text: string, key: string): string | undefined {
  return assignments(text)
    .filter((a) => a.key === key)
    .at(-1)?.value;
}

/** A value quoted so dotenv reads it back unchanged: literally, with no escape processing. */
export function quoteDevVar(key: string, value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new Error(`${key}: a .dev.vars value cannot hold both ' and \``);
}

export interface DevVarsChanges {
  /** Written whatever the file holds: every assignment of the key gets this value (so none can win over it). */
  owned: Record<string, string>;
  /** Written only when the file has no assignment of the key. */
  defaults?: Record<string, string>;
  /** The file's first lines when it is new (empty). */
  header?: string;
}

/**
 * Returns `text` with every assignment of an owned key set to its value, and the owned or default
 * keys it lacks appended at the end; every other character is left as it was. An assignment whose
 * value already reads back as the owned one keeps its spelling, so a second run changes nothing.
 */
export function mergeDevVars(text: string, changes: DevVarsChanges): string {
  const found = assignments(text);
  let merged = '';
  let copied = 0;
  for (const assignment of found) {
    const wanted = changes.owned[assignment.key];
    if (wanted === undefined || assignment.value === wanted) continue;
    merged += text.slice(copied, assignment.valueStart) + quoteDevVar(assignment.key, wanted);
    copied = assignment.valueEnd;
  }
  merged += text.slice(copied);

  const present = new Set(found.map((a) => a.key));
  const missing = [...Object.entries(changes.owned), ...Object.entries(changes.defaults ?? {})].filter(
    ([key], i, all) => !present.has(key) && all.findIndex(([other]) => other === key) === i,
  );
  if (missing.length === 0) return merged;
  const eol = text.includes('\r\n') ? '\r\n' : '\n'; // the file's own line ending
  if (merged.trim() === '' && changes.header) merged = changes.header.replace(/\n?$/, '\n').replace(/\r?\n/g, eol);
  else if (merged !== '' && !merged.endsWith('\n')) merged += eol;
  return merged + missing.map(([key, value]) => `${key}=${quoteDevVar(key, value)}${eol}`).join('');
}
