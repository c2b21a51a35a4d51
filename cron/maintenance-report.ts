/** A run's outcome as text for a terminal: what each step did, the database's figures, the alerts. */
import type { RunOutcome } from './record-run';
import type { NightlyDetails, StepOutcome } from './nightly-maintenance';

const MIB = 1024 * 1024;
const size = (bytes: number) =>
  Math.abs(bytes) >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

function stepLine(name: string, step: StepOutcome): string {
  if ('skipped' in step) return `  ${name.padEnd(18)} skipped (${step.skipped})`;
  if ('wouldTake' in step)
    return `  ${name.padEnd(18)} would take ${step.capped ? 'at least ' : ''}${step.wouldTake} rows`;
  const rate = step.ms > 0 ? ` (${Math.round((step.rows / step.ms) * 1000)} rows/s)` : '';
  return `  ${name.padEnd(18)} ${String(step.rows).padStart(8)} rows in ${step.batches} batches, ${step.ms} ms${rate}, longest ${step.longestStatementMs} ms${step.complete ? '' : ', NOT complete (budget spent)'}`;
}

export function formatReport(outcome: RunOutcome & { job: string; dryRun: boolean }): string {
  const lines = [
    `${outcome.job}${outcome.dryRun ? ' (dry run: nothing changed)' : ''}: ${outcome.status}${outcome.runId === undefined ? '' : ` (cron_runs ${outcome.runId})`}`,
  ];
  const d = outcome.details as Partial<NightlyDetails> & Record<string, unknown>;
  if (typeof d.error === 'string') lines.push(`  error: ${d.error}`);
  if (Array.isArray(d.interruptedRuns)) lines.push(`  marked interrupted: runs ${d.interruptedRuns.join(', ')}`);
  if (d.outbox) lines.push(`  outbox: ${JSON.stringify(d.outbox)}`);
  if (d.steps) for (const [name, step] of Object.entries(d.steps)) lines.push(stepLine(name, step));
  if (d.analyzed)
    lines.push(
      `  analyzed: ${d.analyzed.analyzed.join(', ') || 'nothing changed'}${d.analyzed.timedOut.length ? `; timed out: ${d.analyzed.timedOut.join(', ')}` : ''}`,
    );
  if (d.statistics) {
    const growth = new Map((d.growth ?? []).map((g) => [g.table, g]));
    lines.push(
      `  database: ${size(d.statistics.databaseBytes)}; archive backlog: ${d.statistics.archiveBacklog.capped ? 'at least ' : ''}${d.statistics.archiveBacklog.rows} events`,
    );
    for (const t of d.statistics.tables) {
      const g = growth.get(t.table);
      lines.push(
        `    ${t.table.padEnd(24)} ~${String(t.rows).padStart(9)} rows ${size(t.bytes).padStart(11)}  dead ${t.deadRows}${g ? `  growth ${size(g.bytesPerDay)}/day` : ''}`,
      );
    }
  }
  if (d.alerts)
    lines.push(
      d.alerts.length === 0
        ? '  alerts: none'
        : `  alerts${outcome.dryRun ? ' (would raise)' : ''}: ${d.alerts.map((a) => `${a.check}:${a.subject} ${a.value} > ${a.threshold}`).join('; ')}`,
    );
  if (d.budget)
    lines.push(
      `  budget: ${d.budget.elapsedMs} ms, ${d.budget.statements} statements${d.budget.spent ? ' (spent)' : ''}; longest statement ${d.longestStatement?.ms ?? 0} ms (${d.longestStatement?.name || '-'})`,
    );
  if (d.drained !== undefined) lines.push(`  drained ${String(d.drained)}, dead-lettered ${String(d.deadLettered)}`);
  return lines.join('\n');
}
