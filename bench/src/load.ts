import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ApiClient, contactFile, writeRowFile } from '@contacts/e2e';
import { createAwsClients, loadConfig } from '@contacts/shared';
import autocannon from 'autocannon';
import { JobPool, type OwnedJob } from './load/job-pool.ts';
import { JobWatcher } from './load/job-watcher.ts';
import { LOAD_USAGE, parseLoadOptions, type LoadOptions } from './load/load-options.ts';
import { CpuMeter, LatencyProbe, startEventLoopMonitor } from './load/probes.ts';
import { formatLoadReport, loadFailures, type LoadReport } from './load/report.ts';
import { RequestCounterProxy } from './load/request-counter-proxy.ts';
import { openStreams } from './load/sse-streams.ts';
import { createJobs, pollJobs, summarize, uploadFiles, type Scenario } from './load/scenarios.ts';
import { startSystem, type RunningSystem, type Tenant } from './load/system.ts';

/**
 * `npm run bench:load -- [--seconds 60] [--create-connections 200] [--poll-rate 1000] …`: job
 * creations, status polls and small uploads against the API on loopback while workers process
 * large files. Emulators, API and workers run in processes of their own; this one only generates
 * load. Exits 1 on any non-2xx other than 429, any connection error, or a job that did not
 * complete; 2 on a bad command line.
 */
const PREFIX = 'bench-load';
const SEED_JOBS_PER_TENANT = 25;
const PROBE_INTERVAL_MS = 250;

let options: LoadOptions;
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}\n${LOAD_USAGE}`);
  process.exit(2);
}
const outDir = fileURLToPath(new URL('../out/', import.meta.url));
mkdirSync(outDir, { recursive: true });

console.log(
  `bench:load: ${options.seconds} s; emulators, API and ${options.workers} worker(s) in their ` +
    `own processes on 127.0.0.1; ${options.tenants} tenants, rate limit ${options.rateLimit}/s ` +
    `per key; service warnings and errors go to ${outDir}load-<process>.log`,
);
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')} before the start`,
);
// --sse: the API's DynamoDB calls go through a counting proxy (its reads per second).
const dynamoCounter = options.sse > 0 ? new RequestCounterProxy() : undefined;
const counterUrl = await dynamoCounter?.start();
const system = await startSystem({
  prefix: PREFIX,
  tenants: options.tenants,
  rateLimit: options.rateLimit,
  workers: options.workers,
  chunkConcurrency: options.chunkConcurrency,
  logDir: `${outDir}load-`,
  ...(options.profileApi ? { apiNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${outDir}`] } : {}),
  ...(dynamoCounter === undefined || counterUrl === undefined
    ? {}
    : {
        apiEnv: (env: Record<string, string>) => {
          dynamoCounter.forwardTo(env.AWS_ENDPOINT_URL_DYNAMODB!);
          return { AWS_ENDPOINT_URL_DYNAMODB: counterUrl };
        },
      }),
});
try {
  if (dynamoCounter !== undefined) {
    await runSse(system, options, dynamoCounter);
  } else {
    await runHttpLoad(system, options);
  }
} finally {
  await system.stop();
  await dynamoCounter?.close();
}

async function runHttpLoad(system: RunningSystem, options: LoadOptions): Promise<void> {
  const report = await runLoad(system, options);
  console.log('');
  for (const line of formatLoadReport(report)) console.log(line);
  const failures = loadFailures(report);
  console.log('');
  console.log(failures.length === 0 ? 'result: OK' : `result: FAILED\n  ${failures.join('\n  ')}`);
  if (failures.length > 0) process.exitCode = 1;
}

/**
 * `--sse N`: N event streams on the background jobs (running while they are measured). The
 * API's CPU and DynamoDB reads are measured for `--seconds` with no stream (baseline), then for
 * `--seconds` with the N streams open; the difference per stream is what a stream costs.
 */
async function runSse(
  system: RunningSystem,
  options: LoadOptions,
  counter: RequestCounterProxy,
): Promise<void> {
  const jobs = await submitBackground(system, options);
  if (jobs.length === 0) throw new Error('--sse needs --background-jobs of at least 1');
  const apiPid = system.processes.find((p) => p.name === 'api')!.pid;
  const measure = async (): Promise<{ api: number; other: number; readsPerSecond: number }> => {
    const cpu = new CpuMeter(new Map([['api', apiPid]]));
    const reads = counter.count('GetItem');
    const started = performance.now();
    cpu.start();
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const percent = cpu.stop();
    const seconds = (performance.now() - started) / 1000;
    return {
      api: percent.api ?? 0,
      other: percent['other processes'] ?? 0,
      readsPerSecond: (counter.count('GetItem') - reads) / seconds,
    };
  };
  console.log(`baseline: ${options.seconds} s with no stream open`);
  const idle = await measure();
  const streams = openStreams(system.apiUrl, jobs, options.sse);
  const connectDeadline = performance.now() + 60_000;
  while (streams.heard() + streams.failures() < options.sse && performance.now() < connectDeadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(
    `${streams.open()} streams open (${streams.failures()} failed) on ${jobs.length} jobs; ` +
      `measuring ${options.seconds} s`,
  );
  const events = streams.events();
  const pings = streams.pings();
  const openBefore = streams.open();
  const loaded = await measure();
  const openAfter = streams.open();
  streams.close();
  const perStream = (loaded.api - idle.api) / Math.max(1, openBefore);
  const round = (n: number, digits = 2): string => n.toFixed(digits);
  const lines = [
    `SSE: ${options.sse} streams on ${jobs.length} running jobs, ${options.seconds} s windows`,
    `  streams open at window start / end: ${openBefore} / ${openAfter} (failed: ${streams.failures()})`,
    `  API CPU, no streams:   ${round(idle.api, 1)} % of a core; other processes ${round(idle.other, 0)} %`,
    `  API CPU, with streams: ${round(loaded.api, 1)} % of a core; other processes ${round(loaded.other, 0)} %`,
    `  API CPU per open stream: ${round(perStream, 4)} % of a core (${round(perStream * 10_000, 0)} µs CPU per second)`,
    `  API DynamoDB GetItem/s: ${round(idle.readsPerSecond)} with no stream, ${round(loaded.readsPerSecond)} with ${openBefore} streams`,
    `  events received: ${streams.events() - events} (${round((streams.events() - events) / options.seconds, 1)}/s), heartbeats ${streams.pings() - pings}`,
  ];
  console.log('');
  for (const line of lines) console.log(line);
  if (streams.failures() > 0) process.exitCode = 1;
}

async function runLoad(system: RunningSystem, options: LoadOptions): Promise<LoadReport> {
  const background = await submitBackground(system, options);
  const pollable = new JobPool();
  for (const job of [...background, ...(await createSeedJobs(system))]) pollable.add(job);
  const uploaded = new JobPool();
  const probes = dependencyProbes(system, background[0] ?? pollable.pick());
  const idle = await Promise.all(probes.map((p) => p.probe.sample(30)));

  const common = { apiUrl: system.apiUrl, seconds: options.seconds };
  const scenarios: Scenario[] = [
    createJobs({
      ...common,
      connections: options.createConnections,
      tenants: system.tenants,
      created: pollable,
    }),
    pollJobs({
      ...common,
      rate: options.pollRate,
      connections: options.pollConnections,
      jobs: pollable,
    }),
  ];
  if (options.uploadRate > 0)
    scenarios.push(
      uploadFiles({
        ...common,
        rate: options.uploadRate,
        csv: contactFile(options.uploadRows, { seed: 3 }),
        tenants: system.tenants,
        uploaded,
      }),
    );

  const started = performance.now();
  const watcher = new JobWatcher({ apiUrl: system.apiUrl, epoch: started });
  watcher.watch(
    background,
    `background (${options.backgroundRows.toLocaleString('en-US')} rows each)`,
  );
  const cpu = new CpuMeter(
    new Map([
      ...system.processes.map(({ name, pid }) => [name, pid] as const),
      ['load generator', process.pid] as const,
    ]),
  );
  const generatorDelay = startEventLoopMonitor();
  cpu.start();
  for (const { probe } of probes) probe.start();
  const watching = watchDuring(watcher, options.seconds);
  console.log(
    `load: ${scenarios.map((s) => `${s.name} at ${s.target}`).join('; ')}; ` +
      `${background.length} background jobs running`,
  );
  const results = await Promise.all(scenarios.map((s) => autocannon(s.options)));
  const cpuPercent = cpu.stop();
  const loaded = await Promise.all(probes.map(({ probe }) => probe.stop()));
  const delay = generatorDelay();
  await watching;
  await watcher.poll();
  const atLoadEnd = watcher.progress();

  watcher.watch(uploaded.all(), `small uploads (${options.uploadRows} rows each)`);
  console.log(`load done; waiting up to ${options.drainSeconds} s for the jobs to finish`);
  await watcher.untilFinished(performance.now() + options.drainSeconds * 1000);
  return {
    seconds: options.seconds,
    scenarios: scenarios.map((scenario, i) => summarize(scenario, results[i]!)),
    atLoadEnd,
    atEnd: watcher.progress(),
    probes: probes.map(({ name }, i) => ({ name, idle: idle[i]!, loaded: loaded[i]! })),
    cpuPercent,
    generatorDelay: delay,
    errorLogLines: system.errorCounts(),
  };
}

/** Large direct uploads, one per tenant in turn, so the workers are busy during the load. */
async function submitBackground(system: RunningSystem, options: LoadOptions): Promise<OwnedJob[]> {
  if (options.backgroundJobs === 0) return [];
  const path = `${outDir}load-background-${options.backgroundRows}.csv`;
  if (!existsSync(path)) await writeRowFile(path, options.backgroundRows, 7);
  const jobs: OwnedJob[] = [];
  for (let i = 0; i < options.backgroundJobs; i++) {
    const { key } = tenantAt(system.tenants, i);
    const api = new ApiClient({ baseUrl: system.apiUrl, apiKey: key });
    jobs.push({ id: await api.submitFile(path, { fileName: 'background.csv' }), key });
  }
  console.log(`submitted ${jobs.length} background jobs of ${options.backgroundRows} rows`);
  return jobs;
}

/** Jobs to poll from the first second on (creations add more as they succeed). */
async function createSeedJobs(system: RunningSystem): Promise<OwnedJob[]> {
  const jobs: OwnedJob[] = [];
  for (let i = 0; i < system.tenants.length * SEED_JOBS_PER_TENANT; i++) {
    const { key } = tenantAt(system.tenants, i);
    const res = await fetch(`${system.apiUrl}/v1/jobs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fileName: 'seed.csv' }),
    });
    if (res.status !== 201) throw new Error(`seeding jobs: ${res.status} ${await res.text()}`);
    jobs.push({ id: ((await res.json()) as { id: string }).id, key });
  }
  return jobs;
}

/** One round trip to the API alone, and one to DynamoDB alone (what every API request needs). */
function dependencyProbes(
  system: RunningSystem,
  job: OwnedJob,
): { name: string; probe: LatencyProbe }[] {
  const config = loadConfig(system.serviceEnv);
  const { dynamodb } = createAwsClients(config.aws);
  const healthz = async (): Promise<void> => {
    const res = await fetch(`${system.apiUrl}/healthz`);
    await res.arrayBuffer();
  };
  const getItem = () =>
    dynamodb.send(
      new GetItemCommand({ TableName: config.resources.jobsTable, Key: { id: { S: job.id } } }),
    );
  return [
    {
      name: 'API GET /healthz (no dependency)',
      probe: new LatencyProbe(healthz, PROBE_INTERVAL_MS),
    },
    { name: 'DynamoDB emulator GetItem', probe: new LatencyProbe(getItem, PROBE_INTERVAL_MS) },
  ];
}

/** Follows the background jobs during the load, to see when they finish. */
async function watchDuring(watcher: JobWatcher, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await watcher.poll();
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function tenantAt(tenants: readonly Tenant[], i: number): Tenant {
  return tenants[i % tenants.length]!;
}
