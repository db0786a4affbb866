import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { startEmulators, type Emulators } from '@contacts/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHUNK_SHARD_SIZE,
  ChunkShards,
  createAwsClients,
  createLogger,
  JobStore,
  loadConfig,
  MAX_CHUNKS_PER_JOB,
  provisionResources,
  resourceDefinitions,
  shardItemId,
  type AwsClients,
  type ChunkDoneResult,
  type Job,
} from '@contacts/shared';

let emulators: Emulators;
let clients: AwsClients;
let table: string;
let store: JobStore;
let shards: ChunkShards;

beforeAll(async () => {
  emulators = await startEmulators();
  const config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'chunk-counts-test' });
  clients = createAwsClients(config.aws);
  await provisionResources(
    { ...clients, logger: createLogger({ level: 'silent', name: 't' }) },
    resourceDefinitions(config.resources, config.queues),
  );
  table = config.resources.jobsTable;
  store = new JobStore({ client: clients.dynamodb, table });
  shards = new ChunkShards({ client: clients.dynamodb, table });
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

let counter = 0;
function jobFixture(overrides: Partial<Job> = {}): Job {
  return {
    id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    tenantId: 't1',
    status: 'processing',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fileName: 'contacts.csv',
    sourceKey: 'uploads/t1/contacts.csv',
    options: { chunkRows: 5000 },
    rowsProcessed: 0,
    rowsRejected: 0,
    chunksDone: 0,
    ...overrides,
  };
}

async function newJob(overrides: Partial<Job> = {}): Promise<Job> {
  const job = jobFixture(overrides);
  await store.create(job);
  return job;
}

async function rawItem(id: string): Promise<Record<string, AttributeValue>> {
  const output = await clients.dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  if (output.Item === undefined) throw new Error(`no item ${id}`);
  return output.Item;
}

/** Runs `tasks` with at most `limit` at once. */
async function inParallel(limit: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

/**
 * An item's size as DynamoDB bills and limits it: attribute names plus values (numbers take one
 * byte per two significant digits plus one; maps and lists 3 bytes plus 1 per element).
 */
function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
    0,
  );
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemSize(value.M);
  if (value.L !== undefined)
    return 3 + value.L.length + value.L.reduce((sum, v) => sum + valueSize(v), 0);
  throw new Error(`unsized attribute value ${JSON.stringify(value)}`);
}

function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

describe('chunk counting', () => {
  it('counts concurrent completions and duplicates of one shard exactly once', async () => {
    const job = await newJob({ chunksTotal: CHUNK_SHARD_SIZE + 10 });
    const indexes = Array.from({ length: CHUNK_SHARD_SIZE + 10 }, (_, i) => i);
    // Every chunk reported twice, 24 at a time: most land in the same shard and race for it.
    const results: ChunkDoneResult[] = [];
    await inParallel(
      24,
      [...indexes, ...indexes.toReversed()].map((index) => async () => {
        results.push(await store.recordChunkDone(job.id, { index, rows: 10, rejected: index % 2 }));
      }),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(indexes.length);
    const after = await store.get(job.id);
    expect(after).toMatchObject({
      chunksDone: indexes.length,
      rowsProcessed: 10 * indexes.length,
      rowsRejected: indexes.length / 2,
    });
    // Some report saw the job complete, so the merge gets sent.
    expect(results.some((r) => r.job?.chunksDone === indexes.length)).toBe(true);
    const shard0 = await rawItem(shardItemId(job.id, 0));
    expect(shard0.done?.NS).toHaveLength(CHUNK_SHARD_SIZE);
    expect(shard0.expiresAt?.N).toBeDefined();
  });

  it('recovers a count whose job update was lost, when the chunk is redelivered', async () => {
    const job = await newJob({ chunksTotal: 2 });
    await store.recordChunkDone(job.id, { index: 0, rows: 3, rejected: 0 });
    // The first write only: the worker died before the job item learned of chunk 1.
    const marked = await shards.mark(job.id, { index: 1, rows: 4, rejected: 1 }, 2_000_000_000);
    expect(marked).toMatchObject({ chunks: 2, rows: 7, rejected: 1 });
    expect(await store.get(job.id)).toMatchObject({ chunksDone: 1, rowsProcessed: 3 });

    const redelivered = await store.recordChunkDone(job.id, { index: 1, rows: 4, rejected: 1 });
    expect(redelivered.applied).toBe(false);
    expect(redelivered.job).toMatchObject({ status: 'processing', chunksTotal: 2, chunksDone: 2 });
    const again = await store.recordChunkDone(job.id, { index: 1, rows: 4, rejected: 1 });
    expect(again.applied).toBe(false);
    expect(await store.get(job.id)).toMatchObject({
      chunksDone: 2,
      rowsProcessed: 7,
      rowsRejected: 1,
    });
  });

  it('tells a chunk that finished during the split whether it was the last one', async () => {
    const job = await newJob({ status: 'splitting' });
    const done = await store.recordChunkDone(job.id, { index: 0, rows: 1, rejected: 0 });
    expect(done).toMatchObject({ applied: true, job: { status: 'splitting', chunksDone: 1 } });
    expect(done.job?.chunksTotal).toBeUndefined();
  });

  it('counts chunks of a job stored before shard tallies existed', async () => {
    const legacy = jobFixture({ chunksTotal: 3, chunksDone: 1, rowsProcessed: 5 });
    await clients.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: marshall({ ...legacy, doneChunks: new Set([0]) }, { removeUndefinedValues: true }),
      }),
    );
    await store.recordChunkDone(legacy.id, { index: 1, rows: 5, rejected: 0 });
    await store.recordChunkDone(legacy.id, { index: 2, rows: 5, rejected: 0 });
    await store.recordChunkDone(legacy.id, { index: 2, rows: 5, rejected: 0 });
    const after = await store.get(legacy.id);
    expect(after).toMatchObject({ chunksDone: 3, rowsProcessed: 15 });
    expect(after).not.toHaveProperty('doneChunks');
    expect(
      (
        await store.claimStage(legacy.id, {
          from: 'processing',
          to: 'merging',
          holder: 'm',
          leaseMs: 1000,
          requireAllChunks: true,
        })
      ).claimed,
    ).toBe(true);
  });

  it(`keeps the job item under 4 KB with ${MAX_CHUNKS_PER_JOB} chunks, and reads none of its tallies`, async () => {
    const total = MAX_CHUNKS_PER_JOB;
    const shardCount = total / CHUNK_SHARD_SIZE;
    // Wide rows counts per chunk, so the tallies' numbers are as wide as they get.
    const chunk = (index: number) => ({ index, rows: 99_999, rejected: 9_999 });
    const job = await newJob({
      chunksTotal: total,
      rowsTotal: total * 99_999,
      sourceBytes: 100 * 1024 ** 3,
      columns: ['first_name', 'last_name', 'email', 'phone', 'company', 'city', 'country'],
    });
    // Shard 0 counts all its chunks, concurrently. Every other shard is left as its first 199
    // marks leave it when their job writes were lost (counting 20,000 chunks one by one takes
    // minutes on the emulator); its last chunk then brings the job up to the whole shard,
    // through the same repair path a redelivery takes.
    await inParallel(
      8,
      Array.from(
        { length: CHUNK_SHARD_SIZE },
        (_, index) => () => store.recordChunkDone(job.id, chunk(index)),
      ),
    );
    const markedBefore = CHUNK_SHARD_SIZE - 1;
    await inParallel(
      8,
      Array.from({ length: shardCount - 1 }, (_, i) => async () => {
        const shard = i + 1;
        const first = shard * CHUNK_SHARD_SIZE;
        await clients.dynamodb.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              id: { S: shardItemId(job.id, shard) },
              done: { NS: Array.from({ length: markedBefore }, (_, k) => String(first + k)) },
              chunks: { N: String(markedBefore) },
              rows: { N: String(markedBefore * 99_999) },
              rejected: { N: String(markedBefore * 9_999) },
              expiresAt: { N: '2000000000' },
            },
          }),
        );
        const last = await store.recordChunkDone(job.id, chunk(first + markedBefore));
        expect(last.applied).toBe(true);
      }),
    );

    const item = await rawItem(job.id);
    expect(Object.keys(item.chunkShards?.M ?? {})).toHaveLength(shardCount);
    const size = itemSize(item);
    expect(size).toBeLessThan(4096);
    const shardSize = itemSize(await rawItem(shardItemId(job.id, 0)));
    expect(shardSize).toBeLessThan(1024);
    const read = await store.get(job.id);
    expect(read).toMatchObject({
      chunksDone: total,
      rowsProcessed: total * 99_999,
      rowsRejected: total * 9_999,
    });
    expect(read).not.toHaveProperty('chunkShards');
    expect(read).not.toHaveProperty('expiresAt');
    // What GET /v1/jobs/{id} reads: the counts, without the tallies or the header.
    const summary = await store.getSummaryForTenant('t1', job.id);
    expect(summary).toMatchObject({ id: job.id, chunksDone: total, chunksTotal: total });
    for (const unread of ['chunkShards', 'columns', 'sourceKey', 'leaseHolder'])
      expect(summary).not.toHaveProperty(unread);
    await expect(store.getSummaryForTenant('t2', job.id)).rejects.toThrow(/not found/);
    expect(
      (
        await store.claimStage(job.id, {
          from: 'processing',
          to: 'merging',
          holder: 'm',
          leaseMs: 1000,
          requireAllChunks: true,
        })
      ).claimed,
    ).toBe(true);
    console.info(`${total} chunks: job item ${size} bytes, full shard item ${shardSize} bytes`);
  }, 120_000);
});
