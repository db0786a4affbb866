import { loadavg, cpus } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  audienceDirectoryCsv,
  exitOf,
  spawnWorkerProcess,
  startHarness,
  TENANT_A,
  waitFor,
} from '@contacts/e2e';
import { bareClientPass } from './mailchimp/bare-client.ts';
import { startRemoteSimulator } from './mailchimp/remote-simulator.ts';

/**
 * `npm run bench:mailchimp -- --members 100000 --workers 3`: imports a generated audience from
 * the Mailchimp simulator (about 300 ms a page, at most 10 connections per account), then runs
 * the same import with write-back against a directory that changes every member's company.
 * Prints the fetch stage's pages per second (first page served → last page served, split's
 * sample left out) as a share of what 10 connections allow (10 / latency), the enrichment after
 * it and the whole import's time, the most connections the simulator saw at once (and refusals
 * over 10), whether every member was imported exactly once, and write-back throughput.
 * The import is measured `--runs` times (default 3: this box's own ceiling moves by ±0.05 from
 * one minute to the next), each right after a bare client read the whole audience over 10
 * connections with no pipeline at all: the most this machine lets any client take from the
 * simulator at that moment (`machineCeiling`). The median, the lowest and the highest run are
 * printed, and each run's share. Before them, an unmeasured bare pass has the simulator write
 * each member's JSON once (Mailchimp does that on its own machines), and a small import warms the
 * workers up (`--warmup` members, 0: none), as a fleet that is already running is: 30 pages, about
 * ten fetches a worker (after 10,000, three or four each, the first measured import came out
 * 0.02-0.03 below the next two, run after run).
 * `--timeline` also prints the connections in use per 50 ms of each fetch stage.
 * The simulator runs in a process of its own, as Mailchimp runs on machines of its own: in the
 * benchmark's process its JSON work would queue behind the emulated S3, SQS and DynamoDB.
 */
const { values } = parseOptions({
  options: {
    members: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '300' },
    /** Messages each worker runs at once (CHUNK_CONCURRENCY). */
    concurrency: { type: 'string', default: '6' },
    /** Members of the audience a first, unmeasured import reads (0: no warm-up). */
    warmup: { type: 'string', default: '30000' },
    /** Measured imports, each after its own bare-client pass. */
    runs: { type: 'string', default: '3' },
    /** Also print connections in use per 50 ms of each fetch stage (to stderr). */
    timeline: { type: 'boolean', default: false },
  },
});

/** parseArgs, with a wrong option told in one line instead of a stack trace. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`bench:mailchimp: ${(error as Error).message}`);
    process.exit(2);
  }
}
for (const name of ['members', 'workers', 'latency-ms', 'concurrency', 'warmup', 'runs'] as const) {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1)) {
    console.error(
      `bench:mailchimp: --${name} must be a whole number of ${name === 'warmup' ? '0' : '1'} or more, got ${values[name]}`,
    );
    process.exit(2);
  }
}
const members = Number(values.members);
const latencyMs = Number(values['latency-ms']);
const workerCount = Number(values.workers);

const pageTimes: number[] = [];
const simulator = await startRemoteSimulator(latencyMs, (at) => {
  pageTimes.push(at);
});
const listId = await simulator.createAudience({ size: members, seed: 11 });
const warmupMembers = Number(values.warmup);
const warmupListId =
  warmupMembers > 0 ? await simulator.createAudience({ size: warmupMembers, seed: 12 }) : undefined;
const barePass = (): ReturnType<typeof bareClientPass> =>
  bareClientPass({ url: simulator.url, apiKey: simulator.apiKey, listId, members, pageSize: 1000 });
// Has the simulator write each member's JSON once; the passes before each import are measured.
await barePass();
const PREFIX = 'bench-mailchimp';
const harness = await startHarness({
  prefix: PREFIX,
  env: { LOG_LEVEL: 'silent', MAILCHIMP_API_URL: simulator.url },
});
const auth = { Authorization: `Bearer ${TENANT_A.key}`, 'Content-Type': 'application/json' };
const api = await harness.listen();
// Worker processes, as deployed: each has its own limiters; the limit they share is DynamoDB's.
const workers = Array.from({ length: workerCount }, () =>
  spawnWorkerProcess({
    env: {
      ...harness.emulators.env,
      RESOURCE_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      CHUNK_CONCURRENCY: values.concurrency,
      VISIBILITY_TIMEOUT_SECONDS: '30',
      POLL_WAIT_SECONDS: '1',
      MAILCHIMP_API_URL: simulator.url,
      CONNECTIONS_KEY_FILE: harness.config.secrets.keyFile,
    },
  }),
);
const CONNECTION = await createConnection();
const ceiling = 10 / (latencyMs / 1000);
try {
  const warmup = warmupListId === undefined ? undefined : await runJob({ listId: warmupListId });
  const imports: MeasuredImport[] = [];
  for (let run = 0; run < Number(values.runs); run++) imports.push(await measuredImport());
  const median = [...imports].sort((a, b) => a.fetch.shareOfCeiling - b.fetch.shareOfCeiling)[
    Math.floor((imports.length - 1) / 2)
  ] as MeasuredImport;
  const barePagesPerSecond = median.barePagesPerSecond;

  const writeBackBare = await barePass();
  await simulator.reset();
  const directoryId = await uploadDirectory();
  pageTimes.length = 0;
  const upsertTimes: { at: number; members: number }[] = [];
  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    const at = performance.now();
    void simulator
      .stats()
      .then((now) => upsertTimes.push({ at, members: now.upserts.members }))
      .finally(() => (polling = false));
  }, 50);
  const writeBackRun = await runJob({ writeBack: true, directoryId });
  clearInterval(poll);
  const started = upsertTimes.find((t) => t.members > 0)?.at ?? 0;
  const writeBackStats = await simulator.stats();
  const total = writeBackStats.upserts.members;
  const ended = upsertTimes.find((t) => t.members >= total)?.at ?? performance.now();
  const writeBackFetch = fetchPhase(writeBackRun, writeBackBare.pages / writeBackBare.seconds);

  console.log(
    JSON.stringify(
      {
        members,
        workers: workerCount,
        chunkConcurrency: Number(values.concurrency),
        latencyMs,
        machineCeiling: {
          pagesPerSecond: round(barePagesPerSecond),
          shareOfCeiling: spread(imports.map((i) => i.barePagesPerSecond / ceiling)),
        },
        ...(warmup === undefined
          ? {}
          : { warmup: { members: warmupMembers, seconds: round(warmup.seconds) } }),
        import: {
          runs: imports.length,
          ceilingPagesPerSecond: round(ceiling),
          shareOfCeiling: spread(imports.map((i) => i.fetch.shareOfCeiling)),
          shareOfMachineCeiling: spread(imports.map((i) => i.fetch.shareOfMachineCeiling)),
          // The run of the median share, whole:
          seconds: round(median.run.seconds),
          fetch: median.fetch,
          enrichSeconds: median.fetch.afterLastPageSeconds,
          maxConnections: Math.max(...imports.map((i) => i.maxConnections)),
          connectionViolations: imports.reduce((n, i) => n + i.connectionViolations, 0),
          membersInResult: imports.map((i) => i.exactlyOnce.rows),
          membersExactlyOnce: imports.every((i) => i.exactlyOnce.ok),
        },
        writeBack: {
          seconds: round(writeBackRun.seconds),
          fetch: writeBackFetch,
          enrichAndWriteBackSeconds: writeBackFetch.afterLastPageSeconds,
          membersWritten: writeBackRun.view.writeBack?.membersWritten,
          errors: writeBackRun.view.writeBack?.errors,
          batches: writeBackStats.upserts.requests,
          membersPerSecond: round(
            total / Math.max(0.001, (ended - started) / 1000 + latencyMs / 1000),
          ),
          maxConnections: writeBackStats.maxConnections,
          connectionViolations: writeBackStats.connectionViolations,
        },
        machine: { cores: cpus().length, loadAverage: loadavg().map(round) },
      },
      null,
      2,
    ),
  );
} finally {
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map(exitOf));
  await harness.close();
  await simulator.close();
}

interface MeasuredImport {
  readonly barePagesPerSecond: number;
  readonly run: JobRun;
  readonly fetch: ReturnType<typeof fetchPhase>;
  readonly maxConnections: number;
  readonly connectionViolations: number;
  readonly exactlyOnce: { rows: number; ok: boolean };
}

/** A bare-client pass (the machine's ceiling this minute), then the import, measured. */
async function measuredImport(): Promise<MeasuredImport> {
  const bare = await barePass();
  const barePagesPerSecond = bare.pages / bare.seconds;
  await simulator.reset();
  pageTimes.length = 0;
  const run = await runJob({});
  const fetched = fetchPhase(run, barePagesPerSecond);
  const stats = await simulator.stats();
  const result = await fetch(run.resultUrl).then((res) => res.text());
  const exactlyOnce = countOnce(
    result,
    (await simulator.members(listId)).map((m) => m.email),
  );
  return {
    barePagesPerSecond,
    run,
    fetch: fetched,
    maxConnections: stats.maxConnections,
    connectionViolations: stats.connectionViolations,
    exactlyOnce,
  };
}

/** Median, lowest and highest of the runs' figures, and each one in run order. */
function spread(figures: readonly number[]): {
  median: number;
  min: number;
  max: number;
  each: number[];
} {
  const sorted = [...figures].sort((a, b) => a - b);
  return {
    median: round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0),
    min: round(sorted[0] ?? 0),
    max: round(sorted.at(-1) ?? 0),
    each: figures.map(round),
  };
}

/** A connection with the simulator's key, through the API (the key is checked and sealed). */
async function createConnection(): Promise<string> {
  const res = await fetch(`${api}/v1/connections`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ type: 'mailchimp', apiKey: simulator.apiKey }),
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`connection refused: ${JSON.stringify(body)}`);
  return body.id;
}

/**
 * The fetch stage of the last run, from the simulator's page times: the first page served (after
 * split's sample) to the last one served, plus one page's latency (the last page's own time).
 */
function fetchPhase(
  run: JobRun,
  barePagesPerSecond: number,
): {
  pages: number;
  seconds: number;
  pagesPerSecond: number;
  shareOfCeiling: number;
  /** Against what a bare client reached on this machine in the same run (machineCeiling). */
  shareOfMachineCeiling: number;
  /** From the last page served to the job seen completed: the enrichment left after it. */
  afterLastPageSeconds: number;
} {
  const pages = pageTimes.length - 1; // split's sample page is not part of the import
  if (values.timeline) console.error(`connections per 50 ms: ${connectionTimeline().join(' ')}`);
  const seconds = ((pageTimes.at(-1) ?? 0) - (pageTimes[1] ?? 0) + latencyMs) / 1000;
  const pagesPerSecond = pages / seconds;
  return {
    pages,
    seconds: round(seconds),
    pagesPerSecond: round(pagesPerSecond),
    shareOfCeiling: round(pagesPerSecond / ceiling),
    shareOfMachineCeiling: round(pagesPerSecond / barePagesPerSecond),
    afterLastPageSeconds: round((run.completedAt - (pageTimes.at(-1) ?? run.completedAt)) / 1000),
  };
}

/** Connections in use per 50 ms of the fetch stage (each page counted over its latency). */
function connectionTimeline(): number[] {
  const t0 = (pageTimes[1] ?? 0) - latencyMs;
  const slots: number[] = [];
  for (const at of pageTimes.slice(1))
    for (let t = Math.floor((at - latencyMs - t0) / 50); t < Math.floor((at - t0) / 50); t++)
      slots[t] = (slots[t] ?? 0) + 1;
  return Array.from({ length: slots.length }, (_, i) => slots[i] ?? 0);
}

interface JobRun {
  seconds: number;
  /** performance.now() when the job was seen completed (polled every 250 ms). */
  completedAt: number;
  resultUrl: string;
  view: { writeBack?: { membersWritten: number; errors: number } };
}

async function runJob(options: {
  writeBack?: boolean;
  directoryId?: string;
  listId?: string;
}): Promise<JobRun> {
  const { listId: list = listId, ...rest } = options;
  const started = performance.now();
  const res = await fetch(`${api}/v1/jobs`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      source: { type: 'mailchimp', connectionId: CONNECTION, listId: list },
      chunkRows: 1000,
      ...rest,
    }),
  });
  const created = (await res.json()) as { id: string };
  if (res.status !== 202) throw new Error(`job refused: ${JSON.stringify(created)}`);
  const view = await waitFor(
    async () => {
      const job = (await (
        await fetch(`${api}/v1/jobs/${created.id}`, { headers: auth })
      ).json()) as { status: string; result?: { url: string }; error?: unknown };
      if (job.status === 'failed') throw new Error(`job failed: ${JSON.stringify(job.error)}`);
      return job.status === 'completed' ? job : undefined;
    },
    { timeoutMs: 30 * 60_000, intervalMs: 250, what: 'the job' },
  );
  const completedAt = performance.now();
  return {
    seconds: (completedAt - started) / 1000,
    completedAt,
    resultUrl: view.result?.url ?? '',
    view: view as JobRun['view'],
  };
}

/** A directory that knows every member with another (newer) company: each one is written back. */
async function uploadDirectory(): Promise<string> {
  const csv = audienceDirectoryCsv(await simulator.members(listId), (i) => `Newco ${i % 97}`);
  const res = await fetch(`${api}/v1/directories`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'text/csv' },
    body: csv,
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`directory refused: ${JSON.stringify(body)}`);
  return body.id;
}

/** Every expected email appears in the result exactly once (the email is the first column). */
function countOnce(csv: string, expected: readonly string[]): { rows: number; ok: boolean } {
  const seen = new Map<string, number>();
  const lines = csv
    .split('\n')
    .slice(1)
    .filter((line) => line !== '');
  for (const line of lines) {
    const email = line.split(',')[0] ?? '';
    seen.set(email, (seen.get(email) ?? 0) + 1);
  }
  const ok = expected.every((email) => seen.get(email) === 1) && lines.length === expected.length;
  return { rows: lines.length, ok };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
