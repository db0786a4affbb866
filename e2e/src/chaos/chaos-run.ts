import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, type JobView } from '../api-client.ts';
import { seededRandom } from '../contacts.ts';
import { queueDepth, startHarness, TENANT_A, type Harness } from '../harness.ts';
import { KILL_STAGES, type KillStage } from './aws-calls.ts';
import { KillController, type KillRecord } from './kill-controller.ts';
import { planKills } from './kill-plan.ts';
import { runOutage, type OutageReport } from './outage-drill.ts';
import { checkOutput, type OutputCheck, unusableRowCount, writeRowFile } from './row-file.ts';
import { WorkerPool, type WorkerLogEvent } from './worker-pool.ts';

const ROW_FILE_SEED = 7;

export interface ChaosOptions {
  readonly rows: number;
  readonly kills: number;
  readonly workers: number;
  readonly seed: number;
  readonly chunkRows: number;
  /** 0: no outage; otherwise the emulators go down this long once the first job is processing. */
  readonly outageSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /**
   * The workers' STALL_AFTER_SECONDS: their watchdogs repair a job unchanged this long (a kill
   * between split's processing write and its merge send leaves nothing else to move it).
   */
  readonly stallAfterSeconds: number;
  /** Chunk messages a worker handles at once. */
  readonly chunkConcurrency: number;
  /** Holds the input file (reused across runs) and the emulators' data during the run. */
  readonly workDir: string;
  /** Resource names start with this (unique per concurrent run). */
  readonly prefix: string;
  /** Longest wait for one job. */
  readonly jobTimeoutMs: number;
  /** Jobs to run at most while kills are left to spend. */
  readonly maxJobs: number;
  readonly log: (line: string) => void;
}

export interface JobOutcome {
  readonly id: string;
  readonly status: string;
  readonly seconds: number;
  readonly check?: OutputCheck;
  readonly error?: string;
}

export interface ChaosReport {
  /** True when every job completed with every row exactly once, in order, and nothing else went wrong. */
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly jobs: readonly JobOutcome[];
  readonly kills: readonly KillRecord[];
  readonly killsPlanned: number;
  readonly outage?: OutageReport & {
    /** When the job's done-chunk count first moved after the restart. */
    readonly progressAgainAtMs?: number;
  };
  /** Messages left in the dead-letter queues at the end. */
  readonly deadLettered: { readonly control: number; readonly chunks: number };
  readonly workerCrashes: number;
  readonly workerLog: readonly WorkerLogEvent[];
  readonly seconds: number;
}

/**
 * The chaos run: the API and emulators in this process, worker processes behind observing
 * proxies, and a job (then more, while kills are left) whose workers are SIGKILLed at chosen
 * stages and random moments; optionally an outage of every dependency mid-job. Every job's
 * output is checked row by row against its input.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const started = performance.now();
  const clock = (): number => performance.now() - started;
  mkdirSync(options.workDir, { recursive: true });
  // The same rows whatever the seed (which drives the kills), so one file serves every run.
  const file = join(options.workDir, `chaos-${options.rows}.csv`);
  if (!existsSync(file)) await writeRowFile(file, options.rows, ROW_FILE_SEED);
  const dataDir =
    options.outageSeconds > 0 ? mkdtempSync(join(options.workDir, 'emulators-')) : undefined;
  const queueEnv = {
    VISIBILITY_TIMEOUT_SECONDS: String(options.visibilityTimeoutSeconds),
    MAX_RECEIVE_COUNT: String(options.maxReceiveCount),
    POLL_WAIT_SECONDS: '1',
  };
  const harness = await startHarness({
    prefix: options.prefix,
    env: { ...queueEnv, LOG_LEVEL: 'silent' },
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  let currentJob: string | undefined;
  const random = seededRandom(options.seed);
  const pool = { current: undefined as WorkerPool | undefined };
  const controller = new KillController({
    quotas: planKills(options.kills),
    random,
    slots: options.workers,
    kill: (slot) => {
      if (pool.current === undefined) throw new Error('no workers yet');
      return pool.current.kill(slot);
    },
    jobId: () => currentJob,
    jobStatus: async () =>
      currentJob === undefined ? 'none' : ((await harness.jobs.get(currentJob))?.status ?? 'none'),
    chunksDone: async () =>
      currentJob === undefined ? 0 : ((await harness.jobs.get(currentJob))?.chunksDone ?? 0),
    clock,
    log,
  });
  const problems: string[] = [];
  const jobs: JobOutcome[] = [];
  let outage: ChaosReport['outage'];
  let deadLettered = { control: 0, chunks: 0 };
  try {
    pool.current = await WorkerPool.start({
      size: options.workers,
      emulators: harness.emulators,
      env: {
        ...queueEnv,
        RESOURCE_PREFIX: options.prefix,
        LOG_LEVEL: 'info',
        CHUNK_CONCURRENCY: String(options.chunkConcurrency),
        SHUTDOWN_DEADLINE_SECONDS: '5',
        WATCHDOG_INTERVAL_SECONDS: '2',
        STALL_AFTER_SECONDS: String(options.stallAfterSeconds),
      },
      observe: controller.observe,
      clock,
      log,
    });
    const baseUrl = await harness.listen();
    const api = new ApiClient({ baseUrl, apiKey: TENANT_A.key });
    while (jobs.length < options.maxJobs) {
      const jobStarted = clock();
      const id = await api.submitFile(file, {
        fileName: 'chaos.csv',
        chunkRows: String(options.chunkRows),
      });
      currentJob = id;
      log(`job ${jobs.length + 1}: ${id} submitted at ${(jobStarted / 1000).toFixed(2)} s`);
      controller.arm(true);
      const drill =
        options.outageSeconds > 0 && outage === undefined
          ? outageMidJob(harness, id, options, baseUrl, controller, clock, log)
          : undefined;
      let job: JobView;
      try {
        job = await api.waitForFinalState(id, { timeoutMs: options.jobTimeoutMs });
        if (drill) outage = await drill;
      } finally {
        controller.arm(false);
      }
      const outcome = await verifyJob(job, options.rows, (clock() - jobStarted) / 1000);
      jobs.push(outcome);
      log(describeOutcome(jobs.length, outcome));
      if (controller.remaining === 0) break;
    }
    if (controller.remaining > 0)
      problems.push(`${controller.remaining} kills left unspent after ${jobs.length} jobs`);
    await controller.stop();
    await pool.current.stop();
    deadLettered = await deadLetterCounts(harness);
  } finally {
    // Also when the run broke off: no orphaned workers, emulators or data left behind.
    await controller.stop();
    await pool.current?.stop();
    await harness.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }

  for (const job of jobs) problems.push(...jobProblems(job, options.rows));
  if (deadLettered.control + deadLettered.chunks > 0)
    problems.push(
      `messages dead-lettered: ${deadLettered.control} control, ${deadLettered.chunks} chunk`,
    );
  if (outage) problems.push(...outageProblems(outage));
  return {
    ok: problems.length === 0,
    problems,
    jobs,
    kills: controller.kills,
    killsPlanned: options.kills,
    ...(outage === undefined ? {} : { outage }),
    deadLettered,
    workerCrashes: pool.current.crashes,
    workerLog: pool.current.logEvents,
    seconds: clock() / 1000,
  };
}

/** Once the job is processing with a quarter of its chunks done, takes everything down. */
async function outageMidJob(
  harness: Harness,
  jobId: string,
  options: ChaosOptions,
  baseUrl: string,
  controller: KillController,
  clock: () => number,
  log: (line: string) => void,
): Promise<NonNullable<ChaosReport['outage']>> {
  for (;;) {
    const job = await harness.jobs.get(jobId);
    const total = job?.chunksTotal ?? 0;
    if (job?.status === 'processing' && job.chunksDone >= Math.ceil(total / 4)) break;
    if (job === undefined || ['merging', 'completed', 'failed', 'cancelled'].includes(job.status)) {
      log(`outage: job ${job?.status ?? 'missing'} before it could start; going down anyway`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  controller.arm(false);
  let report: OutageReport;
  // Nothing moves while everything is down: the count at the restart is the baseline.
  let atRestart = 0;
  try {
    report = await runOutage({
      dependencies: harness.emulators,
      seconds: options.outageSeconds,
      baseUrl,
      apiKey: TENANT_A.key,
      clock,
      log,
      onRestart: async () => {
        atRestart = (await harness.jobs.get(jobId))?.chunksDone ?? 0;
      },
    });
    const progressAgainAtMs = await firstProgress(harness, jobId, atRestart, clock);
    log(`outage: ${(progressAgainAtMs / 1000).toFixed(2)} s the job moves again`);
    return { ...report, progressAgainAtMs };
  } finally {
    controller.arm(true);
  }
}

/** When the job next counts a chunk beyond `chunksDone` (or reaches a later status). */
async function firstProgress(
  harness: Harness,
  jobId: string,
  chunksDone: number,
  clock: () => number,
): Promise<number> {
  for (;;) {
    const job = await harness.jobs.get(jobId);
    if (job === undefined || job.chunksDone > chunksDone || job.status !== 'processing')
      return clock();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function verifyJob(job: JobView, rows: number, seconds: number): Promise<JobOutcome> {
  if (job.status !== 'completed' || job.result === undefined) {
    return {
      id: job.id,
      status: job.status,
      seconds,
      error: job.error === undefined ? 'no result' : `${job.error.code}: ${job.error.message}`,
    };
  }
  const output = await download(job.result.url);
  const rejects =
    job.result.rejectsUrl === undefined ? undefined : await download(job.result.rejectsUrl);
  const check = await checkOutput(rows, output, rejects);
  const counted =
    job.progress.rowsProcessed === rows && job.progress.rowsRejected === unusableRowCount(rows);
  return {
    id: job.id,
    status: job.status,
    seconds,
    check,
    ...(counted
      ? {}
      : {
          error: `progress counts ${job.progress.rowsProcessed} rows, ${job.progress.rowsRejected} rejected`,
        }),
  };
}

/** A downloaded file as text, decoded as it streams. */
async function download(url: string): Promise<AsyncIterable<string>> {
  const res = await fetch(url);
  if (res.status !== 200 || res.body === null) throw new Error(`download failed: ${res.status}`);
  return res.body.pipeThrough(new TextDecoderStream());
}

async function deadLetterCounts(harness: Harness): Promise<{ control: number; chunks: number }> {
  const { sqs } = harness.clients;
  return {
    control: await queueDepth(sqs, harness.queueUrls.controlDlq),
    chunks: await queueDepth(sqs, harness.queueUrls.chunkDlq),
  };
}

function jobProblems(job: JobOutcome, rows: number): string[] {
  const problems: string[] = [];
  const label = `job ${job.id}`;
  if (job.status !== 'completed') problems.push(`${label} ended ${job.status}`);
  if (job.error !== undefined) problems.push(`${label}: ${job.error}`);
  const check = job.check;
  if (check === undefined) return problems;
  if (check.outputRows !== rows)
    problems.push(`${label}: ${check.outputRows} output rows for ${rows}`);
  const counts: [string, number][] = [
    ['rows lost', check.lost],
    ['rows duplicated', check.duplicated],
    ['rows out of order', check.outOfOrder],
    ['rows of unknown id', check.unknown],
    ['rows wrongly (not) rejected', check.misjudged],
    ['reject records wrong or missing', check.rejectsMismatch],
  ];
  for (const [what, n] of counts) if (n > 0) problems.push(`${label}: ${n} ${what}`);
  return problems;
}

function outageProblems(outage: OutageReport): string[] {
  const problems: string[] = [];
  for (const probe of outage.duringOutage) {
    if (probe.status !== 503 || probe.retryAfter === null)
      problems.push(
        `during the outage ${probe.probe} answered ${probe.status}, not 503 with Retry-After`,
      );
  }
  const expectedAfter: Record<string, number> = {
    'GET /readyz': 200,
    'POST /v1/jobs (JSON)': 201,
    'POST /v1/jobs (text/csv)': 202,
    // The probe job never got its file: a conflict, no longer an outage.
    'POST /v1/jobs/{id}/start': 409,
  };
  for (const probe of outage.afterRecovery) {
    if (probe.status !== expectedAfter[probe.probe])
      problems.push(`after recovery ${probe.probe} answered ${probe.status}`);
  }
  return problems;
}

function describeOutcome(n: number, outcome: JobOutcome): string {
  const check = outcome.check;
  const rows =
    check === undefined
      ? (outcome.error ?? '')
      : `${check.outputRows} rows, lost ${check.lost}, duplicated ${check.duplicated}, out of order ${check.outOfOrder}`;
  return `job ${n}: ${outcome.status} in ${outcome.seconds.toFixed(1)} s: ${rows}`;
}

/** Kills per aimed stage and per job status at the moment of the kill. */
export function killTally(kills: readonly KillRecord[]): {
  byStage: Record<KillStage, number>;
  byJobStatus: Record<string, number>;
} {
  const byStage = Object.fromEntries(KILL_STAGES.map((s) => [s, 0])) as Record<KillStage, number>;
  const byJobStatus: Record<string, number> = {};
  for (const kill of kills) {
    byStage[kill.stage]++;
    byJobStatus[kill.jobStatus] = (byJobStatus[kill.jobStatus] ?? 0) + 1;
  }
  return { byStage, byJobStatus };
}
