// Wire format of Neon's "SQL over HTTP" endpoint, as spoken by @neondatabase/serverless@1.2.0
// (see `neon()` in node_modules/@neondatabase/serverless/index.mjs). Pure functions only, so the
// HTTP/pool plumbing in neon-bridge.ts stays short.
import pg from 'pg';
import type { QueryArrayConfig, QueryArrayResult } from 'pg';

export interface NeonQuery {
  query: string;
  params: unknown[];
}

/** `neon(url)\`...\`` / `sql.query()` send one query; `sql.transaction([...])` sends `{queries}`. */
export type NeonRequest = { batch: false; query: NeonQuery } | { batch: true; queries: NeonQuery[] };

/** Malformed request (not a Postgres error): answered with HTTP 400 and `{message}`. */
export class BadRequest extends Error {}

function toQuery(value: unknown): NeonQuery {
  const { query, params = [] } = (value ?? {}) as { query?: unknown; params?: unknown };
  if (typeof query !== 'string') throw new BadRequest('"query" must be a string');
  if (!Array.isArray(params)) throw new BadRequest('"params" must be an array');
  return { query, params };
}

export function parseRequestBody(body: string): NeonRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequest('request body is not valid JSON');
  }
  const { queries } = (json ?? {}) as { queries?: unknown };
  if (queries === undefined) return { batch: false, query: toQuery(json) };
  if (!Array.isArray(queries)) throw new BadRequest('"queries" must be an array');
  return { batch: true, queries: queries.map(toQuery) };
}

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

type Headers = Record<string, string | string[] | undefined>;

/** BEGIN for a batch. Like Neon, an absent header leaves the server default in place. */
export function beginStatement(headers: Headers): string {
  const isolation = headers['neon-batch-isolation-level'];
  const modes: string[] = [];
  if (isolation !== undefined) {
    const level = typeof isolation === 'string' ? ISOLATION_LEVELS[isolation] : undefined;
    if (level === undefined) throw new BadRequest(`unsupported Neon-Batch-Isolation-Level: ${String(isolation)}`);
    modes.push(`ISOLATION LEVEL ${level}`);
  }
  if (headers['neon-batch-read-only'] === 'true') modes.push('READ ONLY');
  if (headers['neon-batch-deferrable'] === 'true') modes.push('DEFERRABLE');
  return ['BEGIN', ...modes].join(' ');
}

// The client parses every value itself from Postgres' text output using the field's type OID,
// so node-postgres must hand the server's text through untouched.
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as QueryArrayConfig['types'];

export function queryConfig({ query, params }: NeonQuery): QueryArrayConfig {
  // 'extended' even without params, as Neon always uses the extended protocol: that rejects
  // several statements in one query (42601) exactly like production does.
  const config: QueryArrayConfig & { queryMode: 'extended' } = {
    text: query,
    values: params,
    rowMode: 'array',
    types: RAW_TEXT,
    queryMode: 'extended',
  };
  return config;
}

export function toNeonResult(result: QueryArrayResult) {
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    fields: result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: f.format,
    })),
    rowAsArray: true,
  };
}

// The fields NeonDbError copies from a 400 reply (`errorFields` in the client).
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

export function toNeonError(err: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: err.message };
  for (const field of ERROR_FIELDS) body[field] = err[field];
  return body;
}

/**
 * True when the error is about the connection rather than the SQL: a socket error, or Postgres
 * telling us it is going away (08xxx connection exceptions, 57P0x shutdown/crash/starting up).
 * Those become 503 and the client is thrown away instead of going back to the pool.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return !(err instanceof BadRequest);
  const code = err.code ?? '';
  return code.startsWith('08') || code.startsWith('57P');
}

/** Node's AggregateError (e.g. ECONNREFUSED on ::1 and 127.0.0.1) has an empty message. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
