import type { JobRun, ProviderBenchReport } from './provider-run.ts';

/** Targets of issue 10's proof. */
export const TARGETS = { rateShare: 0.95, fairness: 3 };

export interface BilledTwice {
  /** Extra bills of a (key, person) pair already billed. */
  readonly total: number;
  /** Of those: answers lost with a connection the simulator cut on purpose. */
  readonly dropped: number;
  /** Of those: answers to requests whose caller was killed while they were in flight. */
  readonly inFlightAtKill: number;
  /** What neither explains: the client asked again for an answer it had received. */
  readonly unexplained: number;
}

export function billedTwice(report: ProviderBenchReport): BilledTwice {
  const { stats } = report;
  const total = stats.repeatedMatches.reduce((sum, pair) => sum + pair.times - 1, 0);
  const dropped = Math.min(total, stats.droppedMatches);
  const inFlightAtKill = Math.min(total - dropped, stats.abandonedMatches);
  return { total, dropped, inFlightAtKill, unexplained: total - dropped - inFlightAtKill };
}

/** The figures, as printed at the end of a run. */
export function formatProviderReport(report: ProviderBenchReport, context: string[]): string[] {
  const { options, rate, stats, big, smallAlone, smallDuring } = report;
  const share = rate.perMinute / options.rate;
  const twice = billedTwice(report);
  const fairness = smallAlone.seconds > 0 ? smallDuring.seconds / smallAlone.seconds : NaN;
  const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  const rows = [big, smallAlone, smallDuring].reduce(
    (sum, job) => ({
      lost: sum.lost + (job.tally?.lost ?? 0),
      duplicated: sum.duplicated + (job.tally?.duplicated ?? 0),
    }),
    { lost: 0, duplicated: 0 },
  );
  return [
    '── bench:provider ──',
    ...context,
    `settings: R ${options.rate}/min (simulator, fixed 60 s windows), fleet pace ${options.pace}/min, ` +
      `C ${options.concurrency}, batch ${options.batch}, latency ${options.latencyMs}+${options.jitterMs} ms, ` +
      `faults 503 ${options.fail503} / 429 ${options.fail429} / drop ${options.failDrop}, ` +
      `${options.workers} workers × ${options.chunkConcurrency} chunks, chunks of ${options.chunkRows} rows`,
    `achieved rate: ${rate.perMinute.toFixed(1)}/min = ${(share * 100).toFixed(1)} % of R ` +
      `[target ≥ ${TARGETS.rateShare * 100} %: ${mark(share >= TARGETS.rateShare)}] ` +
      `(${rate.requests} requests the simulator received, every status, from the first to the last ` +
      `of the big job's busy interval, ${rate.seconds.toFixed(1)} s, sampled every 100 ms; ` +
      `requests per full 60 s window: ${rate.fullWindows.join(', ') || 'none'})`,
    `requests over the rate: ${stats.rateLimitViolations}, over the concurrency cap: ` +
      `${stats.concurrencyViolations} (most in flight ${stats.maxInFlight} of ${options.concurrency}) ` +
      `[target 0: ${mark(stats.rateLimitViolations + stats.concurrencyViolations === 0)}]`,
    `injected faults: ${stats.faults.serviceUnavailable} × 503, ${stats.faults.rateLimited} × 429, ` +
      `${stats.faults.dropped} dropped; responses ${JSON.stringify(stats.responses)}`,
    `rows billed twice: ${twice.unexplained} [target 0: ${mark(twice.unexplained === 0)}] ` +
      `(${twice.total} extra bills in all: ${twice.dropped} answers lost in dropped connections, ` +
      `${twice.inFlightAtKill} in requests in flight when a worker was SIGKILLed; ` +
      `${stats.matches} matches billed)`,
    `rows lost: ${rows.lost}, duplicated: ${rows.duplicated} [target 0: ${mark(rows.lost + rows.duplicated === 0)}]`,
    `fairness: ${options.smallRows}-row job during the big job ${smallDuring.seconds.toFixed(1)} s / alone ` +
      `${smallAlone.seconds.toFixed(1)} s = ${fairness.toFixed(2)} [target ≤ ${TARGETS.fairness}: ` +
      `${mark(fairness <= TARGETS.fairness)}]`,
    `kills: ${report.kills.map((k) => `${k.atSeconds.toFixed(1)} s (pid ${k.pid}, ${Math.round(k.progress * 100)} % of the big job's requests)`).join('; ') || 'none'}; ` +
      `workers crashed by themselves: ${report.workerCrashes}`,
    ...[
      ['big job', big],
      ['small job alone', smallAlone],
      ['small job during', smallDuring],
    ].map(([name, job]) => jobLine(name as string, job as JobRun)),
    `about ${report.expectedRequests} requests expected for the big job; run ${report.seconds.toFixed(0)} s in all`,
  ];
}

function jobLine(name: string, job: JobRun): string {
  const tally = job.tally;
  const rows =
    tally === undefined
      ? (job.error ?? '')
      : `${tally.outputRows} rows (lost ${tally.lost}, duplicated ${tally.duplicated}), ` +
        `by source ${JSON.stringify(tally.bySource)}`;
  return (
    `${name}: ${job.status} in ${job.seconds.toFixed(1)} s (status first seen at, s: ` +
    `${JSON.stringify(job.phases ?? {})}); ${rows}; provider ${JSON.stringify(job.provider ?? {})}`
  );
}

/** True when no row was lost or duplicated and every job completed. */
export function rowsIntact(report: ProviderBenchReport): boolean {
  return [report.big, report.smallAlone, report.smallDuring].every(
    (job) => job.status === 'completed' && job.tally?.lost === 0 && job.tally.duplicated === 0,
  );
}
