import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiClient,
  isFinalView,
  startHarness,
  TENANT_A,
  TENANT_B,
  tallyRows,
  worldContacts,
  WorkerPool,
  type Harness,
  type JobView,
  type RowTally,
  type WorldContactFile,
} from '@contacts/e2e';
import {
  buildSyntheticWorld,
  SAMPLE_PEOPLE,
  startPdlSimulator,
  type PdlSimulatorStats,
} from '@contacts/local';
import type { ProviderBenchOptions } from './provider-options.ts';
import { achievedRate, RequestTimeline, type AchievedRate } from './request-timeline.ts';

const SIM_KEY = 'bench-pdl-key';
const PREFIX = 'bench-provider';
const WINDOW_MS = 60_000;
const SAMPLE_EVERY_MS = 100;
/** Shares of the big file: duplicate contacts (anywhere in the file) and unknown people. */
const DUPLICATE_SHARE = 0.05;
const STRANGER_SHARE = 0.05;
/** When, as shares of the big job's expected requests, the small job is submitted. */
const SMALL_JOB_AT = 0.45;
const WARM_UP_ROWS = 20;

export interface JobRun {
  readonly id: string;
  readonly status: string;
  readonly seconds: number;
  /** Seconds after submission each status was first seen. */
  readonly phases?: Readonly<Record<string, number>>;
  readonly tally?: RowTally;
  readonly provider?: Record<string, unknown>;
  readonly error?: string;
}

export interface KillEvent {
  readonly atSeconds: number;
  /** The big job's requests sent so far / expected. */
  readonly progress: number;
  readonly pid: number;
  readonly slot: number;
}

export interface ProviderBenchReport {
  readonly options: ProviderBenchOptions;
  readonly rate: AchievedRate;
  readonly stats: PdlSimulatorStats;
  readonly big: JobRun;
  readonly smallAlone: JobRun;
  readonly smallDuring: JobRun;
  /** Requests the big job was expected to need (distinct queries / batch size). */
  readonly expectedRequests: number;
  readonly kills: readonly KillEvent[];
  readonly workerCrashes: number;
  readonly seconds: number;
}

/**
 * The provider benchmark: emulators and the API in this process, the PDL simulator with its
 * limits enforced and faults on, N worker processes. Times a small job alone, then runs a big
 * job, SIGKILLs workers during it, and times the same-sized small job of another tenant in the
 * middle of it.
 */
export async function runProviderBench(
  options: ProviderBenchOptions,
  workDir: string,
  log: (line: string) => void,
): Promise<ProviderBenchReport> {
  const started = performance.now();
  const clock = (): number => (performance.now() - started) / 1000;
  const worldSize = options.rows + 2 * options.smallRows + WARM_UP_ROWS + 100;
  const people = buildSyntheticWorld({ seed: options.seed, size: worldSize }).people.slice(
    SAMPLE_PEOPLE.length,
  );
  const files = writeFiles(options, people, workDir);
  const sim = await startPdlSimulator({
    apiKeys: [SIM_KEY],
    seed: options.seed,
    worldSize,
    latencyMs: options.latencyMs,
    jitterMs: options.jitterMs,
    rateLimit: { requests: options.rate, windowMs: WINDOW_MS },
    concurrency: options.concurrency,
    faults: {
      serviceUnavailable: options.fail503,
      rateLimited: options.fail429,
      dropConnection: options.failDrop,
      retryAfterSeconds: 1,
    },
  });
  let harness: Harness | undefined;
  let pool: WorkerPool | undefined;
  try {
    harness = await startHarness({
      prefix: PREFIX,
      env: {
        PDL_API_URL: sim.url,
        PDL_API_KEY: SIM_KEY,
        VISIBILITY_TIMEOUT_SECONDS: String(options.visibilityTimeout),
        MAX_RECEIVE_COUNT: '10',
        LOG_LEVEL: 'silent',
      },
    });
    pool = await WorkerPool.start({
      size: options.workers,
      emulators: harness.emulators,
      env: workerEnv(options, sim.url),
      observe: () => 'forward',
      clock: () => clock() * 1000,
      log,
    });
    const baseUrl = await harness.listen();
    const tenantA = new ApiClient({ baseUrl, apiKey: TENANT_A.key });
    const tenantB = new ApiClient({ baseUrl, apiKey: TENANT_B.key });
    const run = (api: ApiClient, file: StoredFile): Promise<JobRun> =>
      runJob(api, file, options.chunkRows, clock);

    // Untimed: the first job of fresh workers pays for their warm-up (module loading, JIT).
    log(`${clock().toFixed(1)} s: a warm-up job (tenant B)`);
    await run(tenantB, files.warmUp);
    log(`${clock().toFixed(1)} s: the small job alone (${options.smallRows} rows, tenant B)`);
    const smallAlone = await run(tenantB, files.smallAlone);
    log(`${clock().toFixed(1)} s: alone in ${smallAlone.seconds.toFixed(1)} s`);

    const expectedRequests = Math.ceil(distinctQueries(files.big.file) / options.batch);
    const timeline = new RequestTimeline(() => sim.stats().requests, SAMPLE_EVERY_MS);
    const base = sim.stats().requests;
    const progress = (): number => (sim.stats().requests - base) / expectedRequests;
    log(
      `${clock().toFixed(1)} s: the big job (${options.rows} rows, tenant A), about ` +
        `${expectedRequests} requests`,
    );
    const big = run(tenantA, files.big);
    // An object: the loop below reads it after awaits, so it must not be narrowed.
    const bigState = { done: false };
    void big.finally(() => {
      bigState.done = true;
    });
    const kills: KillEvent[] = [];
    let smallDuring: JobRun | undefined;
    for (const event of schedule(options.kills)) {
      while (progress() < event.at && !bigState.done) await pause(200);
      if (bigState.done) break;
      if (event.kind === 'small') {
        log(`${clock().toFixed(1)} s: the small job during the big one (tenant B)`);
        smallDuring = await run(tenantB, files.smallDuring);
        log(`${clock().toFixed(1)} s: done in ${smallDuring.seconds.toFixed(1)} s`);
        continue;
      }
      const slot = kills.length % options.workers;
      const at = clock();
      const pid = await pool.kill(slot);
      kills.push({ atSeconds: at, progress: progress(), pid, slot });
      log(
        `${at.toFixed(1)} s: SIGKILL worker ${pid} (slot ${slot}) at ${pct(progress())} of the big job`,
      );
    }
    const bigRun = await big;
    const samples = timeline.stop();
    log(`${clock().toFixed(1)} s: big job ${bigRun.status} in ${bigRun.seconds.toFixed(1)} s`);
    smallDuring ??= {
      id: '',
      status: 'not run',
      seconds: 0,
      error: 'the big job ended first',
    };
    return {
      options,
      rate: achievedRate(samples, WINDOW_MS),
      stats: sim.stats(),
      big: bigRun,
      smallAlone,
      smallDuring,
      expectedRequests,
      kills,
      workerCrashes: pool.crashes,
      seconds: clock(),
    };
  } finally {
    await pool?.stop();
    await harness?.close();
    await sim.close();
  }
}

interface StoredFile {
  readonly path: string;
  readonly file: WorldContactFile;
}

function writeFiles(
  options: ProviderBenchOptions,
  people: Parameters<typeof worldContacts>[0]['people'],
  workDir: string,
): { big: StoredFile; smallAlone: StoredFile; smallDuring: StoredFile; warmUp: StoredFile } {
  const store = (name: string, file: WorldContactFile): StoredFile => {
    const path = join(workDir, `provider-${name}-${options.seed}.csv`);
    writeFileSync(path, file.csv);
    return { path, file };
  };
  const small = (
    firstPerson: number,
    idPrefix: string,
    rows = options.smallRows,
  ): WorldContactFile =>
    worldContacts({
      people,
      firstPerson,
      rows,
      duplicateShare: DUPLICATE_SHARE,
      strangerShare: STRANGER_SHARE,
      seed: options.seed + firstPerson,
      idPrefix,
    });
  // Different people in each file: the response cache answers none of them for another.
  return {
    big: store(
      'big',
      worldContacts({
        people,
        firstPerson: 0,
        rows: options.rows,
        duplicateShare: DUPLICATE_SHARE,
        strangerShare: STRANGER_SHARE,
        seed: options.seed,
        idPrefix: 'big',
      }),
    ),
    smallAlone: store('small-alone', small(options.rows, 'alone')),
    smallDuring: store('small-during', small(options.rows + options.smallRows, 'during')),
    warmUp: store('warm-up', small(options.rows + 2 * options.smallRows, 'warm', WARM_UP_ROWS)),
  };
}

function workerEnv(options: ProviderBenchOptions, simUrl: string): Record<string, string> {
  return {
    RESOURCE_PREFIX: PREFIX,
    LOG_LEVEL: 'info',
    POLL_WAIT_SECONDS: '1',
    VISIBILITY_TIMEOUT_SECONDS: String(options.visibilityTimeout),
    MAX_RECEIVE_COUNT: '10',
    CHUNK_CONCURRENCY: String(options.chunkConcurrency),
    SHUTDOWN_DEADLINE_SECONDS: '5',
    PDL_API_URL: simUrl,
    PDL_API_KEY: SIM_KEY,
    PDL_REQUESTS_PER_MINUTE: String(options.pace),
    PDL_MAX_CONCURRENCY: String(options.concurrency),
    PDL_BATCH_SIZE: String(options.batch),
  };
}

/** Kills spread over a quarter to three quarters of the big job, the small job in between. */
function schedule(kills: number): { at: number; kind: 'kill' | 'small' }[] {
  const events: { at: number; kind: 'kill' | 'small' }[] = [{ at: SMALL_JOB_AT, kind: 'small' }];
  for (let i = 0; i < kills; i++) {
    const at = kills === 1 ? 0.25 : 0.25 + (0.5 * i) / (kills - 1);
    events.push({ at: Math.abs(at - SMALL_JOB_AT) < 0.05 ? at + 0.1 : at, kind: 'kill' });
  }
  return events.sort((a, b) => a.at - b.at);
}

async function runJob(
  api: ApiClient,
  { path, file }: StoredFile,
  chunkRows: number,
  clock: () => number,
): Promise<JobRun> {
  const started = clock();
  const id = await api.submitFile(path, {
    fileName: 'contacts.csv',
    provider: 'pdl',
    chunkRows: String(chunkRows),
  });
  // When each status was first seen: where a slow job spent its time (queued behind other
  // work, splitting, waiting for the provider while processing, merging).
  const phases: Record<string, number> = {};
  let job: JobView | undefined;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    job = await api.getJob(id);
    if (job !== undefined) phases[job.status] ??= Math.round((clock() - started) * 10) / 10;
    if (job !== undefined && isFinalView(job)) break;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${job?.status ?? '?'} at the deadline`);
    await pause(250);
  }
  const seconds = clock() - started;
  const provider = (job as JobView & { provider?: Record<string, unknown> }).provider;
  if (job.status !== 'completed' || job.result === undefined)
    return {
      id,
      status: job.status,
      seconds,
      error: job.error === undefined ? 'no result' : `${job.error.code}: ${job.error.message}`,
    };
  const res = await fetch(job.result.url);
  const tally = await tallyRows([await res.text()], file.ids);
  return { id, status: job.status, seconds, phases, tally, ...(provider ? { provider } : {}) };
}

/** Distinct queries of a file: its rows less the duplicate contacts. */
function distinctQueries(file: WorldContactFile): number {
  return file.ids.length - file.duplicates;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pct(share: number): string {
  return `${Math.round(share * 100)} %`;
}
