import { randomUUID } from 'node:crypto';
import { PurgeQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createPassthroughEnricher } from '@contacts/enrichment';
import {
  createLogger,
  type Logger,
  MessagePublisher,
  type ChunkMessage,
  type Job,
  type WatchdogConfig,
} from '@contacts/shared';
import { cachedEnricherProvider, createWorker, StallWatchdog, type Worker } from '@contacts/worker';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  purgeQueues,
  queueDepth,
  startHarness,
  TENANT_A,
  waitFor,
  type Harness,
} from '../src/index.ts';

const PREFIX = 'e2e-watchdog';
const auth = { Authorization: `Bearer ${TENANT_A.key}` };
/** Short enough for a test, longer than the gaps between a live job's writes here. */
const STALL_AFTER_SECONDS = 2;
const WATCHDOG: WatchdogConfig = {
  intervalSeconds: 1,
  stallAfterSeconds: STALL_AFTER_SECONDS,
  maxRepairs: 2,
};
const HEADER = 'first_name,last_name,email\n';
const ROWS_PER_CHUNK = 5;
/** The harness's POLL_WAIT_SECONDS, and a little more. */
const POLL_WAIT_MS = 1500;

let harness: Harness;
const workers: Worker[] = [];

beforeAll(async () => {
  // The harness's own workers run without a watchdog; each test decides who watches.
  harness = await startHarness({ prefix: PREFIX, env: { WATCHDOG_INTERVAL_SECONDS: '0' } });
});

afterAll(async () => {
  await harness.close();
});

beforeEach(async () => {
  await purgeQueues(harness);
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  // The emulator answers a long poll its client gave up on (a stopped worker's last one) with
  // the next message sent, hiding it for a visibility timeout: let those polls run out first.
  await new Promise((resolve) => setTimeout(resolve, POLL_WAIT_MS));
});

/** Silent unless LOG_LEVEL says otherwise, like the harness. */
const logger = (): Logger => createLogger({ level: harness.config.logLevel, name: PREFIX });

/** A worker of this test (passthrough enrichment), with or without its watchdog. */
function startWorker(watchdog: WatchdogConfig = { ...WATCHDOG, intervalSeconds: 0 }): Worker {
  const { config } = harness;
  const worker = createWorker({
    config: { ...config, worker: { ...config.worker, watchdog } },
    queueUrls: harness.queueUrls,
    clients: harness.clients,
    logger: logger(),
    enrichers: cachedEnricherProvider((job) =>
      Promise.resolve(createPassthroughEnricher(job.columns)),
    ),
  });
  worker.start();
  workers.push(worker);
  return worker;
}

/** A watchdog on its own, driven pass by pass. */
function watchdog(config: Partial<WatchdogConfig> = {}, now?: () => number): StallWatchdog {
  return new StallWatchdog({
    ...(now === undefined ? {} : { now }),
    jobs: harness.jobs,
    publisher: new MessagePublisher({
      sqs: harness.clients.sqs,
      controlQueueUrl: harness.queueUrls.control,
      chunkQueueUrl: harness.queueUrls.chunk,
    }),
    sqs: harness.clients.sqs,
    queueUrls: harness.queueUrls,
    config: { ...WATCHDOG, intervalSeconds: 0, ...config },
    logger: logger(),
  });
}

function email(row: number): string {
  return `person${row}@example.com`;
}

function csvOf(rows: number): string {
  let text = HEADER;
  for (let row = 1; row <= rows; row++) text += `Ann,Lee${row},${email(row)}\n`;
  return text;
}

/** The chunk messages split would send for `csvOf(rows)`. */
function chunkMessages(job: Job, rows: number): ChunkMessage[] {
  const messages: ChunkMessage[] = [];
  let offset = Buffer.byteLength(HEADER);
  for (let first = 1; first <= rows; first += ROWS_PER_CHUNK) {
    const count = Math.min(ROWS_PER_CHUNK, rows - first + 1);
    let bytes = 0;
    for (let row = first; row < first + count; row++)
      bytes += Buffer.byteLength(`Ann,Lee${row},${email(row)}\n`);
    messages.push({
      type: 'chunk.process',
      v: 1,
      jobId: job.id,
      tenantId: job.tenantId,
      index: messages.length,
      byteStart: offset,
      byteEnd: offset + bytes,
      rowStart: first,
      rowCount: count,
    });
    offset += bytes;
  }
  return messages;
}

/** A job uploaded through the API and queued, whose split message is lost. */
async function queuedJob(rows: number): Promise<string> {
  const res = await request(harness.app)
    .post(`/v1/jobs?fileName=stall.csv&chunkRows=${ROWS_PER_CHUNK}`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(csvOf(rows));
  expect(res.status).toBe(202);
  await harness.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: harness.queueUrls.control }));
  return res.body.id as string;
}

/**
 * A job whose split ran as far as recording the header, as split does, with its split message
 * gone: the test plays the split's part from here.
 */
async function jobInSplit(rows: number): Promise<{ job: Job; chunks: ChunkMessage[] }> {
  const id = await queuedJob(rows);
  const claim = await harness.jobs.claimStage(id, {
    from: 'queued',
    to: 'splitting',
    holder: 'test-split',
    leaseMs: 60_000,
  });
  expect(claim.claimed).toBe(true);
  const job = await harness.jobs.updateUnderLease(
    id,
    { status: 'splitting', holder: 'test-split' },
    {
      columns: ['first_name', 'last_name', 'email'],
      encoding: 'utf-8',
      delimiter: ',',
      lineEnding: 'lf',
    },
  );
  return { job, chunks: chunkMessages(job, rows) };
}

async function send(queueUrl: string, messages: readonly ChunkMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await harness.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((message) => ({
          Id: String(message.index),
          MessageBody: JSON.stringify(message),
        })),
      }),
    );
  }
}

/** Split's last write: the totals and `processing`, releasing its lease (then it "dies"). */
async function endSplit(job: Job, chunks: number, rows: number): Promise<Job> {
  return harness.jobs.updateUnderLease(
    job.id,
    { status: 'splitting', holder: 'test-split' },
    { chunksTotal: chunks, rowsTotal: rows },
    { to: 'processing', releaseLease: true },
  );
}

async function finalJob(id: string, timeoutMs = 30_000): Promise<Job> {
  return waitFor(
    async () => {
      const job = await harness.jobs.get(id);
      return job !== undefined && ['completed', 'failed', 'cancelled'].includes(job.status)
        ? job
        : undefined;
    },
    { what: `job ${id} to finish`, timeoutMs },
  );
}

/** The emails of the result file, in output order. */
async function resultEmails(job: Job): Promise<string[]> {
  expect(job.resultKey).toBeDefined();
  const body = await harness.objects.read(job.resultKey ?? '');
  const text = Buffer.concat((await body.toArray()) as Buffer[]).toString('utf8');
  const [header = '', ...lines] = text.split('\n').filter((line) => line !== '');
  const column = header.split(',').indexOf('email');
  return lines.map((line) => line.split(',')[column] ?? '');
}

/** Every chunk counted while the job is still splitting: nobody but split owes the merge. */
async function chunksDoneDuringSplit(job: Job, chunks: readonly ChunkMessage[]): Promise<void> {
  await send(harness.queueUrls.chunk, chunks);
  const worker = startWorker();
  await chunksCounted(job.id, chunks.length);
  await worker.stop();
}

async function chunksCounted(id: string, count: number): Promise<void> {
  await waitFor(
    async () => ((await harness.jobs.get(id))?.chunksDone === count ? true : undefined),
    { what: `${count} chunks counted` },
  );
}

describe('the stall watchdog', () => {
  it('re-sends the merge of a job whose every chunk is done when split died before sending it', async () => {
    const rows = 12;
    const { job, chunks } = await jobInSplit(rows);
    await chunksDoneDuringSplit(job, chunks);
    const processing = await endSplit(job, chunks.length, rows);
    expect(processing).toMatchObject({ status: 'processing', chunksDone: 3, chunksTotal: 3 });

    // Nothing else will move this job: only a worker's own watchdog can.
    startWorker(WATCHDOG);
    const done = await finalJob(job.id);

    expect(done).toMatchObject({ status: 'completed', rowsProcessed: rows });
    expect(done.repairs).toBeGreaterThanOrEqual(1);
    expect(await resultEmails(done)).toEqual(Array.from({ length: rows }, (_, i) => email(i + 1)));
    expect(Date.parse(done.repairedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(processing.updatedAt) + STALL_AFTER_SECONDS * 1000,
    );
  });

  it('redrives the chunk messages of a processing job from the chunk DLQ, and every row arrives', async () => {
    const rows = 23;
    const { job, chunks } = await jobInSplit(rows);
    const [lost, ...delivered] = [chunks[2]!, ...chunks.filter((c) => c.index !== 2)];
    // Chunk 2 died on its last delivery (its worker was killed): it sits in the chunk DLQ.
    await send(harness.queueUrls.chunkDlq, [lost]);
    await send(harness.queueUrls.chunk, delivered);
    await endSplit(job, chunks.length, rows);
    startWorker();
    await chunksCounted(job.id, delivered.length);

    startWorker(WATCHDOG);
    const done = await finalJob(job.id);

    expect(done).toMatchObject({
      status: 'completed',
      rowsProcessed: rows,
      chunksDone: chunks.length,
    });
    expect(done.repairs).toBeGreaterThanOrEqual(1);
    expect(await resultEmails(done)).toEqual(Array.from({ length: rows }, (_, i) => email(i + 1)));
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(0);
  });

  it('fails a job with missing chunks that are nowhere to be found as stalled, naming the stage', async () => {
    const rows = 10;
    const { job, chunks } = await jobInSplit(rows);
    // Chunk 1's message is gone (expired, purged): nothing can bring it back.
    await send(harness.queueUrls.chunk, [chunks[0]!]);
    await endSplit(job, chunks.length, rows);
    startWorker();
    await chunksCounted(job.id, 1);

    startWorker(WATCHDOG);
    const failed = await finalJob(job.id);

    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('stalled');
    expect(failed.error?.message).toMatch(
      /^no progress for \d+ s while processing: 1 of 2 chunks missing and none in the dead-letter queue$/,
    );
    expect(failed).toMatchObject({ chunksDone: 1, repairs: 1 });
  });

  it('fails a job as stalled once its repairs are used up, and leaves it in the index no more', async () => {
    // Queued with its split message lost, and no repairs allowed.
    const id = await queuedJob(5);
    await new Promise((resolve) => setTimeout(resolve, STALL_AFTER_SECONDS * 1000 + 200));

    const outcomes = await watchdog({ maxRepairs: 0 }).runPass();

    expect(outcomes.find((o) => o.jobId === id)).toMatchObject({ action: 'failed' });
    const failed = await harness.jobs.get(id);
    expect(failed?.error).toEqual({
      code: 'stalled',
      message: expect.stringMatching(
        /^no progress for \d+ s while queued: the split never started; 0 automatic repairs did not get it moving$/,
      ) as string,
    });
    const stillListed = await harness.jobs.listUnchangedSince(new Date().toISOString(), 100);
    expect(stillListed.map((ref) => ref.id)).not.toContain(id);
  });

  it('does not fail a stalled job while its queue still holds messages that may be its own', async () => {
    const id = await queuedJob(5);
    // Another job's split waits in the control queue (no worker runs): a backlog.
    await new MessagePublisher({
      sqs: harness.clients.sqs,
      controlQueueUrl: harness.queueUrls.control,
      chunkQueueUrl: harness.queueUrls.chunk,
    }).sendControl({ type: 'job.split', v: 1, jobId: randomUUID(), tenantId: TENANT_A.tenantId });
    await new Promise((resolve) => setTimeout(resolve, STALL_AFTER_SECONDS * 1000 + 200));
    const strict = watchdog({ maxRepairs: 0 });

    const waiting = await strict.runPass();

    expect(waiting.find((o) => o.jobId === id)).toMatchObject({ action: 'waiting-for-queue' });
    expect((await harness.jobs.get(id))?.status).toBe('queued');

    // A queue that never drains defers the verdict only so long: four stall periods idle.
    const later = () => Date.now() + 4 * STALL_AFTER_SECONDS * 1000;
    const patienceUsed = await watchdog({ maxRepairs: 0 }, later).runPass();
    expect(patienceUsed.find((o) => o.jobId === id)).toMatchObject({ action: 'failed' });
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.control)).toBe(1);
  });

  it('fails a stalled job once its queue has drained', async () => {
    const id = await queuedJob(5);
    await harness.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: harness.queueUrls.control }));
    await new Promise((resolve) => setTimeout(resolve, STALL_AFTER_SECONDS * 1000 + 200));

    const failed = await watchdog({ maxRepairs: 0 }).runPass();

    expect(failed.find((o) => o.jobId === id)).toMatchObject({ action: 'failed' });
    expect((await harness.jobs.get(id))?.error?.code).toBe('stalled');
  });

  it('lets exactly one of two watchdogs looking at once repair a stall', async () => {
    const rows = 8;
    const { job, chunks } = await jobInSplit(rows);
    await chunksDoneDuringSplit(job, chunks);
    await endSplit(job, chunks.length, rows);
    await new Promise((resolve) => setTimeout(resolve, STALL_AFTER_SECONDS * 1000 + 200));

    const [first, second] = await Promise.all([watchdog().runPass(), watchdog().runPass()]);

    const actions = [...first, ...second]
      .filter((o) => o.jobId === job.id)
      .map((o) => o.action)
      .sort();
    expect(actions).toEqual(['left-alone', 'resent-merge']);
    expect((await harness.jobs.get(job.id))?.repairs).toBe(1);
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.control)).toBe(1);

    // The one merge it sent completes the job.
    startWorker();
    expect(await finalJob(job.id)).toMatchObject({ status: 'completed', rowsProcessed: rows });
  });
});
