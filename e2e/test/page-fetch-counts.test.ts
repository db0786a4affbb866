import { startEmulators, type Emulators } from '@contacts/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkShards,
  createAwsClients,
  createLogger,
  JobStore,
  loadConfig,
  provisionResources,
  resourceDefinitions,
  type AwsClients,
  type Job,
} from '@contacts/shared';

/**
 * The fetch stage's bookkeeping of a Mailchimp job on the jobs table (dynalite): each fetched
 * page counts once whatever its deliveries, the count reaches the page total exactly, and the
 * sending of the pages' enrichment is claimed by one delivery at a time and done once.
 */
let emulators: Emulators;
let clients: AwsClients;
let store: JobStore;
let fetchShards: ChunkShards;

beforeAll(async () => {
  emulators = await startEmulators();
  const config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'page-fetch-counts-test' });
  clients = createAwsClients(config.aws);
  await provisionResources(
    { ...clients, logger: createLogger({ level: 'silent', name: 't' }) },
    resourceDefinitions(config.resources, config.queues),
  );
  const table = config.resources.jobsTable;
  store = new JobStore({ client: clients.dynamodb, table });
  fetchShards = new ChunkShards({ client: clients.dynamodb, table, kind: 'fetches' });
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

/** Runs `tasks` with at most `limit` at once. */
async function inParallel(limit: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

let counter = 0;
async function mailchimpJob(pages: number, overrides: Partial<Job> = {}): Promise<Job> {
  const job: Job = {
    id: `00000000-0000-4000-9000-${String(++counter).padStart(12, '0')}`,
    tenantId: 't1',
    status: 'processing',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fileName: 'mailchimp.csv',
    sourceKey: 'uploads/t1/x/source.csv',
    source: { type: 'mailchimp', connectionId: 'c', listId: 'l', writeBack: false },
    options: { chunkRows: 1000 },
    outputChunks: pages,
    rowsProcessed: 0,
    rowsRejected: 0,
    chunksDone: 0,
    ...overrides,
  };
  await store.create(job);
  return job;
}

describe('recordPageFetched', () => {
  it('counts every page once under concurrent and repeated deliveries, across shards', async () => {
    const pages = 250; // two fetch shards of 200
    const job = await mailchimpJob(pages);
    const order = Array.from({ length: pages }, (_, page) => page).reverse();
    const deliveries = [...order, ...order.filter((page) => page % 7 === 0)];
    const results: Awaited<ReturnType<JobStore['recordPageFetched']>>[] = [];
    await inParallel(
      16,
      deliveries.map((page) => async () => {
        results.push(await store.recordPageFetched(job.id, page));
      }),
    );

    expect(results.filter((r) => r.applied)).toHaveLength(pages);
    const finished = results.filter((r) => r.job?.pagesFetched === pages);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    const stored = await store.get(job.id);
    expect(stored?.pagesFetched).toBe(pages);
    expect(stored?.chunksDone).toBe(0);
  });

  it('finishes a count whose job write was lost: the redelivery raises it', async () => {
    const job = await mailchimpJob(2);
    await store.recordPageFetched(job.id, 0);
    // A worker marked page 1 and died before the job item learned it.
    await fetchShards.mark(job.id, { index: 1, rows: 0, rejected: 0 }, 0);
    expect((await store.get(job.id))?.pagesFetched).toBe(1);

    const redelivered = await store.recordPageFetched(job.id, 1);

    expect(redelivered.applied).toBe(false);
    expect(redelivered.job?.pagesFetched).toBe(2);
    expect((await store.get(job.id))?.pagesFetched).toBe(2);
  });

  it('counts nothing for a job that ended', async () => {
    const job = await mailchimpJob(2);
    await store.cancel(job.id);

    const result = await store.recordPageFetched(job.id, 0);

    expect(result.applied).toBe(false);
    expect(result.job?.status).toBe('cancelled');
    expect((await store.get(job.id))?.pagesFetched).toBe(0);
  });
});

describe('page dispatch claim', () => {
  it('is claimed by one delivery, held against others, then done for all', async () => {
    const job = await mailchimpJob(1, { pagesFetched: 1 });

    expect(await store.claimPageDispatch(job.id, 'a', 60_000)).toEqual({ state: 'claimed' });
    expect(await store.claimPageDispatch(job.id, 'b', 60_000)).toMatchObject({ state: 'held' });
    expect(await store.renewPageDispatch(job.id, 'b', 60_000)).toBe(false);
    expect(await store.renewPageDispatch(job.id, 'a', 60_000)).toBe(true);
    expect(await store.completePageDispatch(job.id, 'a')).toBe(true);

    expect(await store.claimPageDispatch(job.id, 'b', 60_000)).toEqual({ state: 'done' });
    expect((await store.get(job.id))?.pagesDispatchedAt).toEqual(expect.any(String));
  });

  it('goes to the next delivery once the holder’s lease ended, and never for an ended job', async () => {
    const job = await mailchimpJob(1);
    expect(await store.claimPageDispatch(job.id, 'dead', 1)).toEqual({ state: 'claimed' });
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(await store.claimPageDispatch(job.id, 'next', 60_000)).toEqual({ state: 'claimed' });
    expect(await store.completePageDispatch(job.id, 'dead')).toBe(false);

    const ended = await mailchimpJob(1);
    await store.cancel(ended.id);
    expect(await store.claimPageDispatch(ended.id, 'a', 60_000)).toEqual({ state: 'inactive' });
  });
});
