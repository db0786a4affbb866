import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatChaosReport, runChaos } from '@contacts/e2e';

/**
 * `npm run chaos -- --kills 20 --rows 100000 [--workers 3] [--seed N] [--outage-seconds 0]`:
 * SIGKILLs worker processes at every stage of a job (and optionally takes every dependency
 * down mid-job), then checks that the output holds every input row exactly once, in order.
 * Exits non-zero when anything is wrong.
 */
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    kills: { type: 'string', default: '20' },
    workers: { type: 'string', default: '3' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    /** Small chunks make many chunks, so kills land in many of them. */
    'chunk-rows': { type: 'string', default: '1000' },
    'outage-seconds': { type: 'string', default: '0' },
    /** Low, so a killed worker's messages come back within seconds. */
    'visibility-timeout': { type: 'string', default: '5' },
    /** High enough that a message hit by several kills is not dead-lettered. */
    'max-receive-count': { type: 'string', default: '10' },
    /** Above the visibility timeout and a worker's restart, below the patience of a run. */
    'stall-after': { type: 'string', default: '15' },
    'chunk-concurrency': { type: 'string', default: '2' },
    'max-jobs': { type: 'string', default: '10' },
  },
});

const seed = Number(values.seed);
const options = {
  rows: Number(values.rows),
  kills: Number(values.kills),
  workers: Number(values.workers),
  seed,
  chunkRows: Number(values['chunk-rows']),
  outageSeconds: Number(values['outage-seconds']),
  visibilityTimeoutSeconds: Number(values['visibility-timeout']),
  maxReceiveCount: Number(values['max-receive-count']),
  stallAfterSeconds: Number(values['stall-after']),
  chunkConcurrency: Number(values['chunk-concurrency']),
  maxJobs: Number(values['max-jobs']),
  workDir: fileURLToPath(new URL('../out/chaos/', import.meta.url)),
  prefix: `chaos-${seed}`,
  jobTimeoutMs: 15 * 60_000,
  log: (line: string) => {
    console.log(line);
  },
};
for (const [name, value] of Object.entries(options)) {
  if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0))
    throw new Error(`--${name} must be a whole number, got ${value}`);
}
console.log(
  `chaos: ${options.rows} rows, ${options.kills} kills, ${options.workers} workers, seed ${seed}, ` +
    `chunks of ${options.chunkRows} rows, visibility ${options.visibilityTimeoutSeconds} s, ` +
    `max receives ${options.maxReceiveCount}, watchdog stall after ${options.stallAfterSeconds} s` +
    (options.outageSeconds > 0 ? `, outage ${options.outageSeconds} s` : ''),
);
const report = await runChaos(options);
console.log('');
for (const line of formatChaosReport(report)) console.log(line);
if (!report.ok) process.exitCode = 1;
