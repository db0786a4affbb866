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
const system = await startSystem({
  prefix: PREFIX,
  tenants: options.tenants,
  rateLimit: options.rateLimit,
  workers: options.workers,
  chunkConcurrency: options.chunkConcurrency,
  logDir: `${outDir}load-`,
  ...(options.profileApi ? { apiNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${outDir}`] } : {}),
});
try {
  const report = await runLoad(system, options);
  console.log('');
  for (const line of formatLoadReport(report)) console.log(line);
  const failures = loadFailures(report);
  console.log('');
  console.log(failures.length === 0 ? 'result: OK' : `result: FAILED\n  ${failures.join('\n  ')}`);
  if (failures.length > 0) process.exitCode = 1;
} finally {
  await system.stop();
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
