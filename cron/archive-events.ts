/**
 * Archival: security events older than the cut-off move to security_events_archive (same columns,
 * same ids). One batch is one statement: it takes the oldest events not locked by another run, deletes
 * them and inserts what it deleted, so the copy and the delete commit together or not at all. A run
 * cut off anywhere resumes with nothing lost; an id already in the archive is not inserted again
 * (ON CONFLICT DO NOTHING), so nothing is ever archived twice.
 */
import { sql, type SQL } from 'drizzle-orm';
import { runBatches, type StepContext, type StepReport } from './batched-step';

const COLUMNS = sql.raw(
  'id, event_type, severity, user_id, token_id, ip_address, user_agent, country, metadata, created_at',
);

export function archiveBatch(before: Date, limit: number): SQL {
  // The ordered scan runs backwards along security_events_created_idx (created_at desc, id desc).
  return sql`
    with batch as (
      select id from security_events where created_at < ${before}
       order by created_at, id limit ${limit} for update skip locked
    ), moved as (
      delete from security_events e using batch b where e.id = b.id
      returning e.id, e.event_type, e.severity, e.user_id, e.token_id, e.ip_address, e.user_agent, e.country, e.metadata, e.created_at
    ), archived as (
      insert into security_events_archive (${COLUMNS}) select ${COLUMNS} from moved
      on conflict (id) do nothing
      returning 1
    )
    select (select count(*) from moved)::int as n, (select count(*) from archived)::int as archived`;
}

/** Events past the cut-off still in the live table, counted up to `cap` (the backlog). */
export function archiveBacklog(before: Date, cap: number): SQL {
  return sql`select count(*)::int as n from (select 1 from security_events where created_at < ${before} limit ${cap}) c`;
}

export function archiveEvents(ctx: StepContext, before: Date): Promise<StepReport> {
  return runBatches(ctx, 'archiveEvents', (limit) => archiveBatch(before, limit));
}
