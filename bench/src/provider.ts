import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  parseProviderBenchOptions,
  PROVIDER_BENCH_USAGE,
  type ProviderBenchOptions,
} from './provider/provider-options.ts';
import { formatProviderReport, rowsIntact } from './provider/provider-report.ts';
import { runProviderBench } from './provider/provider-run.ts';

/**
 * `npm run bench:provider -- --workers 3 --rows 20000 [--rate 120] [--batch 50] …`: drives the
 * PDL simulator (rate limit R, concurrency cap C, faults on) with N worker processes sharing one
 * account, SIGKILLs workers during a big job and times a small job of another tenant alone and
 * during it. Prints the achieved rate as a share of R, violations, rows billed twice, rows lost
 * and the fairness ratio. Exits 1 when a job failed or a row was lost or duplicated.
 */
let options: ProviderBenchOptions;
try {
  options = parseProviderBenchOptions(process.argv.slice(2));
} catch (error) {
  console.error(
    `error: ${error instanceof Error ? error.message : String(error)}\n${PROVIDER_BENCH_USAGE}`,
  );
  process.exit(2);
}
const workDir = fileURLToPath(new URL('../out/', import.meta.url));
mkdirSync(workDir, { recursive: true });
const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const loadBefore = load();
console.log(
  `bench:provider: ${options.rows} rows, ${options.workers} workers, R ${options.rate}/min, ` +
    `C ${options.concurrency}, batch ${options.batch}; ${availableParallelism()} cores, load ${loadBefore}`,
);
const report = await runProviderBench(options, workDir, (line) => {
  console.log(line);
});
console.log('');
const context = [
  `machine: ${availableParallelism()} cores, load average (1/5/15 min) ${loadBefore} at the start, ${load()} at the end`,
];
for (const line of formatProviderReport(report, context)) console.log(line);
if (!rowsIntact(report)) process.exitCode = 1;
