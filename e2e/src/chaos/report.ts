import { killTally, type ChaosReport } from './chaos-run.ts';
import { summarizeProbes } from './outage-drill.ts';
import type { WorkerLogEvent } from './worker-pool.ts';

/** Worker log lines of an outage: every warning or error, and the notices it starts and ends with. */
export function outageLogLines(report: ChaosReport): readonly WorkerLogEvent[] {
  const outage = report.outage;
  if (outage === undefined) return [];
  // Workers notice the recovery on their next poll, up to a full backoff after the restart.
  const until = outage.readyAgainAtMs + 35_000;
  return report.workerLog.filter((e) => e.atMs >= outage.stoppedAtMs && e.atMs <= until);
}

/** Counts log events by message, most frequent first: `message ×n`. */
export function countByMessage(events: readonly WorkerLogEvent[]): string[] {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.msg, (counts.get(e.msg) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([msg, n]) => `${msg} ×${n}`);
}

/** The chaos run's findings as aligned `name  value` lines. */
export function formatChaosReport(report: ChaosReport): string[] {
  const { byStage, byJobStatus } = killTally(report.kills);
  const checks = report.jobs.flatMap((job) => (job.check === undefined ? [] : [job.check]));
  const sum = (pick: (c: (typeof checks)[number]) => number): number =>
    checks.reduce((total, c) => total + pick(c), 0);
  const list = (entries: [string, number][]): string =>
    entries.map(([name, n]) => `${name} ${n}`).join(', ') || 'none';
  const lines: [string, string][] = [
    [
      'kills survived',
      `${report.kills.length} of ${report.killsPlanned} (each worker replaced; ${report.workerCrashes} exited by themselves)`,
    ],
    ['kills per aimed stage', list(Object.entries(byStage))],
    ['kills per job status', list(Object.entries(byJobStatus))],
    [
      'jobs',
      report.jobs.map((j) => `${j.status} in ${j.seconds.toFixed(1)} s`).join('; ') || 'none',
    ],
    ['rows checked', String(sum((c) => c.outputRows))],
    ['rows lost', String(sum((c) => c.lost))],
    ['rows duplicated', String(sum((c) => c.duplicated))],
    ['rows out of order', String(sum((c) => c.outOfOrder))],
    [
      'rejects consistent',
      sum((c) => c.misjudged + c.rejectsMismatch) === 0 && checks.length > 0 ? 'yes' : 'NO',
    ],
    [
      'dead-lettered messages',
      `${report.deadLettered.control} control, ${report.deadLettered.chunks} chunk`,
    ],
    ['run time', `${report.seconds.toFixed(1)} s`],
  ];
  lines.push(['repairs', countByMessage(repairsOf(report)).join('; ') || 'nothing to repair']);
  const workerWarnings = report.workerLog.filter((e) => e.level >= 40);
  lines.push(['worker warnings/errors', countByMessage(workerWarnings).join('; ') || 'none']);
  const outage = report.outage;
  if (outage !== undefined) {
    const at = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    lines.push(
      [
        'outage',
        `${outage.seconds} s: down at ${at(outage.stoppedAtMs)}, restarted at ${at(outage.restartedAtMs)}`,
      ],
      [
        '/readyz 200 again',
        `${at(outage.readyAgainAtMs)} (${((outage.readyAgainAtMs - outage.restartedAtMs) / 1000).toFixed(2)} s after restart)`,
      ],
      ['API during outage', summarizeProbes(outage.duringOutage).join('; ')],
      ['API after recovery', summarizeProbes(outage.afterRecovery).join('; ')],
    );
    const back = report.workerLog.find(
      (e) => e.atMs >= outage.restartedAtMs && e.msg.endsWith('reachable again'),
    );
    if (back !== undefined)
      lines.push([
        'first worker back',
        `${at(back.atMs)} (${((back.atMs - outage.restartedAtMs) / 1000).toFixed(2)} s after restart: its backoff ran out)`,
      ]);
    if (outage.progressAgainAtMs !== undefined)
      lines.push([
        'job moving again',
        `${at(outage.progressAgainAtMs)} (${((outage.progressAgainAtMs - outage.restartedAtMs) / 1000).toFixed(2)} s after restart)`,
      ]);
    const logged = outageLogLines(report);
    lines.push([
      'worker log lines (outage)',
      `${logged.length} from ${new Set(logged.map((e) => e.slot)).size} worker slots: ${countByMessage(logged).join('; ')}`,
    ]);
  }
  lines.push(['result', report.ok ? 'OK' : `FAILED: ${report.problems.join('; ')}`]);
  return lines.map(([name, value]) => `${name.padEnd(28)}${value}`);
}

/** Lost steps put right: by the watchdog, or by a redelivered split that re-sent the merge. */
export function repairsOf(report: ChaosReport): WorkerLogEvent[] {
  return report.workerLog.filter(
    (e) => e.msg.startsWith('stalled job') || e.msg.includes('merge re-sent'),
  );
}
