import { startEmulators, type Emulators } from '@contacts/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAwsClients,
  createLogger,
  JobStore,
  JobStateConflictError,
  loadConfig,
  provisionResources,
  resourceDefinitions,
  type AwsClients,
  type Job,
} from '@contacts/shared';

let emulators: Emulators;
let clients: AwsClients;
let store: JobStore;
let clock = 1_000_000;

beforeAll(async () => {
  emulators = await startEmulators();
  const config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'job-store-test' });
  clients = createAwsClients(config.aws);
  await provisionResources(
    { ...clients, logger: createLogger({ level: 'silent', name: 't' }) },
    resourceDefinitions(config.resources, config.queues),
  );
  store = new JobStore({
    client: clients.dynamodb,
    table: config.resources.jobsTable,
    now: () => clock,
  });
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

let counter = 0;
async function newJob(overrides: Partial<Job> = {}): Promise<Job> {
  const job: Job = {
    id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    tenantId: 't1',
    status: 'awaiting_upload',
    createdAt: 'now',
    updatedAt: 'now',
    fileName: 'f.csv',
    sourceKey: 'k',
    options: { chunkRows: 10 },
    rowsProcessed: 0,
    rowsRejected: 0,
    chunksDone: 0,
    ...overrides,
  };
  await store.create(job);
  return job;
}

describe('JobStore', () => {
  it('moves only forward and never out of a final state', async () => {
    const job = await newJob();
    await store.transition(job.id, { from: ['awaiting_upload'], to: 'queued' });
    await expect(
      store.transition(job.id, { from: ['awaiting_upload'], to: 'queued' }),
    ).rejects.toBeInstanceOf(JobStateConflictError);
    expect(await store.fail(job.id, { code: 'x', message: 'y' })).toBe(true);
    expect(await store.fail(job.id, { code: 'x', message: 'again' })).toBe(false);
    expect((await store.get(job.id))?.error).toEqual({ code: 'x', message: 'y' });
  });

  it('hides a job from other tenants', async () => {
    const job = await newJob();
    await expect(store.getForTenant('t2', job.id)).rejects.toThrow(/not found/);
    expect((await store.getForTenant('t1', job.id)).id).toBe(job.id);
  });

  it('counts each chunk once, however often it is reported, even concurrently', async () => {
    const job = await newJob({ status: 'processing', chunksTotal: 3 });
    const reports = [0, 1, 1, 2, 0, 2, 1].map((index) =>
      store.recordChunkDone(job.id, { index, rows: 10, rejected: 1 }),
    );
    const results = await Promise.all(reports);
    expect(results.filter((r) => r.applied)).toHaveLength(3);
    const after = await store.get(job.id);
    expect(after).toMatchObject({ chunksDone: 3, rowsProcessed: 30, rowsRejected: 3 });
  });

  it('counts a chunk’s provider usage once, however often the chunk is reported', async () => {
    const job = await newJob({ status: 'processing', chunksTotal: 3 });
    const usage = (requests: number) => ({
      requests,
      recordsSent: requests * 10,
      matchesBilled: requests * 4,
      cacheHits: 2,
    });
    const report = (index: number, requests: number) =>
      store.recordChunkDone(job.id, { index, rows: 10, rejected: 0, provider: usage(requests) });
    await Promise.all([report(0, 1), report(1, 2), report(2, 3)]);
    // Redeliveries find their answers cached and report other numbers: they are not counted.
    const again = await Promise.all([report(1, 0), report(0, 5)]);
    expect(again.map((r) => r.applied)).toEqual([false, false]);
    expect(await store.get(job.id)).toMatchObject({
      chunksDone: 3,
      providerRequests: 6,
      providerRecordsSent: 60,
      providerMatchesBilled: 24,
      providerCacheHits: 6,
    });
  });

  it('gives a stage lease to one delivery; no other (same message or not) gets it before it expires', async () => {
    const job = await newJob({ status: 'processing', chunksTotal: 0 });
    const claim = (holder: string) =>
      store.claimStage(job.id, {
        from: 'processing',
        to: 'merging',
        holder,
        leaseMs: 1000,
        requireAllChunks: true,
      });
    const [a, b] = await Promise.all([claim('m1'), claim('m2')]);
    expect([a.claimed, b.claimed].sort()).toEqual([false, true]);
    const winner = a.claimed ? 'm1' : 'm2';
    const loser = a.claimed ? 'm2' : 'm1';
    expect((await claim(loser)).claimed).toBe(false);
    // Tokens are per delivery: even the holder's own token cannot claim the live lease again.
    expect((await claim(winner)).claimed).toBe(false);
    expect(await store.renewLease(job.id, winner, 1000)).toBe(true);
    clock += 5000;
    expect((await claim(loser)).claimed).toBe(true);
    expect(await store.renewLease(job.id, winner, 1000)).toBe(false);
    expect(await store.renewLease(job.id, loser, 1000)).toBe(true);
  });

  it('does not start a merge before every chunk is done', async () => {
    const job = await newJob({ status: 'processing', chunksTotal: 2 });
    await store.recordChunkDone(job.id, { index: 0, rows: 1, rejected: 0 });
    const early = await store.claimStage(job.id, {
      from: 'processing',
      to: 'merging',
      holder: 'm',
      leaseMs: 1000,
      requireAllChunks: true,
    });
    expect(early.claimed).toBe(false);
  });

  it('cancels an unfinished job, after which chunks, leases and merges are refused', async () => {
    const job = await newJob({ status: 'splitting', leaseHolder: 's', leaseUntil: clock + 60_000 });
    const cancelled = await store.cancel(job.id);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(cancelled?.leaseHolder).toBeUndefined();
    expect(await store.renewLease(job.id, 's', 1000)).toBe(false);
    const counted = await store.recordChunkDone(job.id, { index: 0, rows: 5, rejected: 0 });
    expect(counted.applied).toBe(false);
    expect(counted.job).toMatchObject({ status: 'cancelled', chunksDone: 0, rowsProcessed: 0 });
    await expect(
      store.updateUnderLease(job.id, { status: 'splitting', holder: 's' }, { chunksTotal: 1 }),
    ).rejects.toMatchObject({ status: 'cancelled' });
    expect(await store.fail(job.id, { code: 'x', message: 'y' })).toBe(false);
  });

  it('does not cancel a job that already ended', async () => {
    const job = await newJob({ status: 'completed' });
    expect(await store.cancel(job.id)).toBeUndefined();
    expect((await store.get(job.id))?.status).toBe('completed');
  });
});
