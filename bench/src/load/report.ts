import type { GroupProgress } from './job-watcher.ts';
import type { LatencySummary } from './probes.ts';
import type { ScenarioResult } from './scenarios.ts';

export interface LoadReport {
  readonly seconds: number;
  readonly scenarios: readonly ScenarioResult[];
  /** Job progress when the load window closed, and at the end of the drain. */
  readonly atLoadEnd: readonly GroupProgress[];
  readonly atEnd: readonly GroupProgress[];
  readonly probes: readonly {
    readonly name: string;
    readonly idle: LatencySummary;
    readonly loaded: LatencySummary & { failures: number };
  }[];
  readonly cpuPercent: Readonly<Record<string, number>>;
  readonly generatorDelay: LatencySummary;
  readonly errorLogLines: Readonly<Record<string, number>>;
}

const number = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Left-aligned columns, two spaces apart. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

function scenarioTable(scenarios: readonly ScenarioResult[]): string[] {
  const header = [
    'scenario',
    'target',
    'requests',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    '429',
    'other non-2xx',
    'errors (timeouts)',
  ];
  const rows = scenarios.map((s) => [
    s.name,
    s.target,
    number(s.requests),
    number(s.perSecond, 1),
    number(s.latency.p50),
    number(s.latency.p90),
    number(s.latency.p99),
    number(s.latency.max),
    number(s.rateLimited),
    number(s.failedResponses),
    `${number(s.errors)} (${number(s.timeouts)})`,
  ]);
  return table([header, ...rows]);
}

function statusLines(scenarios: readonly ScenarioResult[]): string[] {
  return scenarios.map((s) => {
    const codes = Object.entries(s.statuses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([code, count]) => `${code} × ${number(count)}`);
    return `  ${s.name}: ${codes.length > 0 ? codes.join(', ') : 'no responses'}`;
  });
}

function progressLine(progress: GroupProgress): string {
  const statuses = Object.entries(progress.byStatus)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const rows = `${number(progress.rowsProcessed)} / ${number(progress.rowsTotal)} rows`;
  const finished =
    progress.allFinishedAfter === undefined
      ? 'not all finished'
      : `all finished ${number(progress.allFinishedAfter, 1)} s after the load started`;
  return `  ${progress.group}: ${progress.jobs} jobs (${statuses}); ${rows}; ${finished}`;
}

/** CPU milliseconds each request cost the API and the emulators (what caps the request rate). */
function cpuPerRequest(report: LoadReport): string {
  const requests = report.scenarios.reduce((sum, s) => sum + s.requests, 0);
  if (requests === 0) return 'no requests';
  return ['api', 'emulators', 'load generator']
    .flatMap((name) => {
      const percent = report.cpuPercent[name];
      if (percent === undefined) return [];
      const ms = ((percent / 100) * report.seconds * 1000) / requests;
      return [`${name} ${number(ms, 2)} ms`];
    })
    .join(', ');
}

/** The whole report as lines for a terminal. */
export function formatLoadReport(report: LoadReport): string[] {
  const probe = (s: LatencySummary): string =>
    `p50 ${number(s.p50, 1)} ms, p99 ${number(s.p99, 1)} ms, max ${number(s.max, 1)} ms (${s.samples})`;
  const cpu = Object.entries(report.cpuPercent)
    .map(([name, percent]) => `${name} ${number(percent)} %`)
    .join(', ');
  const errors = Object.entries(report.errorLogLines);
  return [
    ...scenarioTable(report.scenarios),
    '',
    'responses by status:',
    ...statusLines(report.scenarios),
    '',
    `jobs when the ${report.seconds} s load window closed:`,
    ...report.atLoadEnd.map(progressLine),
    'jobs at the end:',
    ...report.atEnd.map(progressLine),
    '',
    'probes, one call at a time (idle before the load → during the load):',
    ...report.probes.map(
      (p) =>
        `  ${p.name}: ${probe(p.idle)} → ${probe(p.loaded)}` +
        (p.loaded.failures > 0 ? `, ${p.loaded.failures} failed` : ''),
    ),
    `CPU during the load, % of one core: ${cpu}`,
    `CPU per HTTP request: ${cpuPerRequest(report)}`,
    `load generator event-loop delay: ${probe(report.generatorDelay)}`,
    `service log lines at level error: ${errors.length > 0 ? errors.map(([name, n]) => `${name} ${n}`).join(', ') : 'none'}`,
  ];
}

/** Why the run failed, if it did: non-2xx other than 429, connection errors, unfinished jobs. */
export function loadFailures(report: LoadReport): string[] {
  const reasons: string[] = [];
  for (const s of report.scenarios) {
    if (s.failedResponses > 0)
      reasons.push(`${s.name}: ${s.failedResponses} non-2xx responses other than 429`);
    if (s.errors > 0)
      reasons.push(`${s.name}: ${s.errors} connection errors (${s.timeouts} timeouts)`);
  }
  for (const group of report.atEnd) {
    const completed = group.byStatus.completed ?? 0;
    if (completed < group.jobs)
      reasons.push(
        `${group.group}: ${group.jobs - completed} of ${group.jobs} jobs did not complete`,
      );
  }
  return reasons;
}
