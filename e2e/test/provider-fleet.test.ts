import {
  buildSyntheticWorld,
  SAMPLE_PEOPLE,
  startPdlSimulator,
  type PdlSimulator,
} from '@contacts/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  startHarness,
  submitCsv,
  TENANT_A,
  TENANT_B,
  waitForJob,
  WorkerPool,
  type Harness,
} from '../src/index.ts';
import { tallyRows } from '../src/provider/row-tally.ts';
import { worldContacts } from '../src/provider/world-contacts.ts';

/*
 * Three worker processes share one PDL account: its limits hold for the fleet, not per process.
 * The simulator enforces a low rate and a concurrency cap and counts every request over them;
 * two tenants' jobs run at once. Each worker alone would pace itself within the limits; only a
 * fleet-wide limiter keeps the three of them together within them.
 */

const SIM_KEY = 'fleet-pdl-key';
const PREFIX = 'e2e-provider-fleet';
const WORKERS = 3;
/** The simulator's limits: 30 requests per 5-second window, 2 in flight. */
const SIM_LIMITS = { rateLimit: { requests: 30, windowMs: 5_000 }, concurrency: 2 };
/**
 * The fleet's pace: 240 a minute is 20 per window, each of the 3 workers could reach it alone.
 * Two thirds of the simulator's limit, so that request timing (a fixed window counts arrivals,
 * not permits) can never tip a window over on a busy machine.
 */
const WORKER_LIMITS = { PDL_REQUESTS_PER_MINUTE: '240', PDL_MAX_CONCURRENCY: '2' };
const WORLD = { seed: 5, size: 1_000 };
const ROWS = 100;

let sim: PdlSimulator;
let harness: Harness;
let pool: WorkerPool | undefined;

beforeAll(async () => {
  sim = await startPdlSimulator({
    apiKeys: [SIM_KEY],
    seed: WORLD.seed,
    worldSize: WORLD.size,
    latencyMs: 150,
    jitterMs: 150,
    ...SIM_LIMITS,
  });
  harness = await startHarness({
    prefix: PREFIX,
    env: { PDL_API_URL: sim.url, PDL_API_KEY: SIM_KEY },
  });
  const started = performance.now();
  pool = await WorkerPool.start({
    size: WORKERS,
    emulators: harness.emulators,
    env: {
      RESOURCE_PREFIX: PREFIX,
      POLL_WAIT_SECONDS: '1',
      VISIBILITY_TIMEOUT_SECONDS: '10',
      LOG_LEVEL: 'warn',
      CHUNK_CONCURRENCY: '2',
      PDL_API_URL: sim.url,
      PDL_API_KEY: SIM_KEY,
      PDL_BATCH_SIZE: '5',
      ...WORKER_LIMITS,
    },
    observe: () => 'forward',
    clock: () => performance.now() - started,
    log: (line) => {
      console.log(line);
    },
  });
});

afterAll(async () => {
  await pool?.stop();
  await harness.close();
  await sim.close();
});

describe('provider limits shared by a fleet of worker processes', () => {
  it(
    'keeps 3 workers together within the rate and concurrency limits, billing nothing twice, for 2 tenants at once',
    { timeout: 120_000 },
    async () => {
      const people = buildSyntheticWorld(WORLD).people.slice(SAMPLE_PEOPLE.length);
      // Different people per tenant (no answer of one is in the cache for the other), duplicate
      // contacts and strangers in each.
      const files = [TENANT_A, TENANT_B].map((tenant, index) => ({
        tenant,
        file: worldContacts({
          people,
          firstPerson: index * ROWS,
          rows: ROWS,
          duplicateShare: 0.1,
          duplicateBlockRows: 20,
          strangerShare: 0.05,
          seed: 11 + index,
          idPrefix: `t${index}`,
        }),
      }));

      const ids = await Promise.all(
        files.map(({ tenant, file }) =>
          submitCsv(
            harness.app,
            file.csv,
            { fileName: 'fleet.csv', provider: 'pdl', chunkRows: '20' },
            tenant,
          ),
        ),
      );
      const jobs = await Promise.all(
        ids.map((id, index) =>
          waitForJob(harness.app, id, { tenant: files[index]!.tenant, timeoutMs: 90_000 }),
        ),
      );

      const stats = sim.stats();
      const explain = JSON.stringify({ stats, workerLog: pool?.logEvents.slice(0, 20) });
      expect(stats.rateLimitViolations, explain).toBe(0);
      expect(stats.concurrencyViolations, explain).toBe(0);
      expect(stats.maxInFlight, explain).toBeLessThanOrEqual(SIM_LIMITS.concurrency);
      expect(stats.repeatedMatches, explain).toEqual([]);
      expect(stats.responses, explain).toEqual({ '200': stats.requests });
      // Every distinct person asked once: the duplicates were answered from the cache.
      const distinct = files.reduce((sum, { file }) => sum + file.people, 0);
      expect(stats.matches, explain).toBe(distinct);
      expect(pool?.crashes).toBe(0);

      for (const [index, job] of jobs.entries()) {
        const { file } = files[index]!;
        expect(job.status).toBe('completed');
        const tally = await tallyRows([await download(job.result.url as string)], file.ids);
        expect(tally).toMatchObject({ outputRows: ROWS, lost: 0, duplicated: 0, unknown: 0 });
        expect(tally.bySource.pdl).toBeGreaterThan(0);
        expect(job.provider).toMatchObject({ name: 'pdl' });
      }
      // Both jobs' requests add up to what the simulator saw (no delivery was redone).
      const requests = jobs.reduce((sum, job) => sum + (job.provider.requests as number), 0);
      expect(requests).toBe(stats.requests);
    },
  );
});
