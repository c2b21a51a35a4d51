/**
 * Logins and refreshes over time (uPlot, bundled: no third-party origin), with the same figures as a
 * table for anyone who cannot read the chart (WCAG 1.1.1: a text alternative).
 */
import uPlot from 'uplot';
import { h, fmtTime, table } from '../dom';
import type { Metrics } from '../types';

// Colours with at least 3:1 contrast on white (WCAG 1.4.11, non-text contrast), told apart by dash too.
const SERIES = [
  { key: 'successfulLogins', label: 'Successful logins', stroke: '#1a7f37', dash: [] },
  { key: 'failedLogins', label: 'Failed logins', stroke: '#c62828', dash: [6, 3] },
  { key: 'tokenRefreshes', label: 'Token refreshes', stroke: '#1f5fbf', dash: [2, 2] },
] as const;

let current: uPlot | undefined;

export function renderChart(host: HTMLElement, metrics: Metrics): void {
  current?.destroy();
  host.replaceChildren();
  const xs = metrics.series.map((b) => Date.parse(b.bucket) / 1000);
  const data: uPlot.AlignedData = [xs, ...SERIES.map((s) => metrics.series.map((b) => b[s.key]))];
  const figure = h('figure', { class: 'chart', 'aria-describedby': 'series-table-caption' });
  const plot = h('div', { role: 'img', 'aria-label': 'Chart of successful logins, failed logins and token refreshes' });
  figure.append(plot);
  host.append(figure);
  current = new uPlot(
    {
      width: Math.max(320, host.clientWidth - 8),
      height: 260,
      series: [
        {},
        ...SERIES.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 2,
          dash: [...s.dash],
          // A dot per bucket only where buckets are few enough to tell apart.
          points: { show: xs.length <= 48 },
        })),
      ],
      axes: [{}, { size: 50 }],
      scales: { x: { time: true } },
    },
    data,
    plot,
  );
  host.append(seriesTable(metrics));
}

function seriesTable(metrics: Metrics): HTMLElement {
  const rows = metrics.series
    .filter((b) => b.successfulLogins || b.failedLogins || b.tokenRefreshes)
    .map((b) => [fmtTime(b.bucket), b.successfulLogins, b.failedLogins, b.tokenRefreshes]);
  const t = table(
    `Per bucket (${metrics.series.length} buckets, ${rows.length} with traffic; empty buckets left out)`,
    ['Bucket start', ...SERIES.map((s) => s.label)],
    rows,
  );
  t.querySelector('caption')?.setAttribute('id', 'series-table-caption');
  return h('details', { class: 'series-table' }, h('summary', {}, 'Show these figures as a table'), t);
}
