import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { createPassthroughEnricher } from '@contacts/enrichment';
import {
  cachedEnricherProvider,
  DeadLetterQueues,
  deadLetterRoutes,
  runDlqCommand,
} from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queueCounts } from '@contacts/shared';
import {
  contactFile,
  createJob,
  purgeQueues,
  queueDepth,
  startHarness,
  TENANT_A,
  waitFor,
  type Harness,
} from '../src/index.ts';

const PREFIX = 'e2e-dlq';
const auth = { Authorization: `Bearer ${TENANT_A.key}` };
let harness: Harness;
let queues: DeadLetterQueues;

beforeAll(async () => {
  // One delivery per message: a worker that dies while holding it sends it to the DLQ.
  harness = await startHarness({
    prefix: PREFIX,
    env: { MAX_RECEIVE_COUNT: '1', SHUTDOWN_DEADLINE_SECONDS: '1' },
  });
  queues = new DeadLetterQueues({
    sqs: harness.clients.sqs,
    routes: deadLetterRoutes(harness.queueUrls),
    jobStatus: async (jobId) => (await harness.jobs.get(jobId))?.status,
  });
});

afterAll(async () => {
  await harness.close();
});

beforeEach(async () => {
  await purgeQueues(harness);
});

function chunkBody(jobId: string, index: number): string {
  return JSON.stringify({
    type: 'chunk.process',
    v: 1,
    jobId,
    tenantId: TENANT_A.tenantId,
    index,
    byteStart: index * 100,
    byteEnd: index * 100 + 100,
    rowStart: index * 10 + 1,
    rowCount: 10,
  });
}

function splitBody(jobId: string): string {
  return JSON.stringify({ type: 'job.split', v: 1, jobId, tenantId: TENANT_A.tenantId });
}

async function put(queueUrl: string, bodies: readonly string[]): Promise<void> {
  await harness.clients.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
    }),
  );
}

/** Takes every message off a work queue (as a worker would: receive, delete); returns the bodies. */
async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages: messages } = await harness.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (messages === undefined) return bodies.sort();
    bodies.push(...messages.map((message) => message.Body ?? ''));
    await harness.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((message, i) => ({
          Id: String(i),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
}

function captured(): { out: string[]; err: string[]; io: Parameters<typeof runDlqCommand>[2] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}

const cliEnv = (): Record<string, string> => ({
  ...harness.emulators.env,
  RESOURCE_PREFIX: PREFIX,
  LOG_LEVEL: 'silent',
});

describe('dead-letter queue listing', () => {
  it('shows each message with its job, chunk and the job status, and hands them back', async () => {
    const [jobA, jobB] = [
      await createJob(harness.app, { fileName: 'a.csv' }),
      await createJob(harness.app, { fileName: 'a.csv' }),
    ];
    const missingJob = randomUUID();
    await put(harness.queueUrls.chunkDlq, [
      chunkBody(jobA, 0),
      chunkBody(jobA, 1),
      chunkBody(missingJob, 2),
    ]);
    await put(harness.queueUrls.controlDlq, [splitBody(jobB), '{"type":"job.split","v":9}']);

    const letters = await queues.list({ queue: 'all', max: 10 });

    expect(letters.map((l) => l.queue)).toEqual([
      'control',
      'control',
      'chunks',
      'chunks',
      'chunks',
    ]);
    const byBody = (jobId: string | undefined, index?: number) =>
      letters.find((l) => l.summary.jobId === jobId && l.summary.chunkIndex === index);
    expect(byBody(jobA, 1)).toMatchObject({
      summary: { type: 'chunk.process', jobId: jobA, chunkIndex: 1, valid: true },
      jobStatus: 'awaiting_upload',
      receiveCount: 1,
    });
    expect(byBody(missingJob, 2)?.jobStatus).toBe('not_found');
    expect(byBody(jobB)).toMatchObject({
      summary: { type: 'job.split' },
      jobStatus: 'awaiting_upload',
    });
    expect(letters.find((l) => !l.summary.valid)).toMatchObject({
      summary: { type: 'job.split', valid: false },
    });
    expect(letters.every((l) => l.sentAt !== undefined && l.messageId !== '')).toBe(true);
    // Handed back, not hidden for the visibility timeout: the next reader sees them all.
    const again = await queues.list({ queue: 'all', max: 10 });
    expect(again.map((l) => l.messageId).sort()).toEqual(letters.map((l) => l.messageId).sort());
  });

  it('is bounded by max and by queue', async () => {
    const job = await createJob(harness.app, { fileName: 'a.csv' });
    await put(
      harness.queueUrls.chunkDlq,
      Array.from({ length: 10 }, (_, i) => chunkBody(job, i)),
    );
    await put(harness.queueUrls.chunkDlq, [chunkBody(job, 10), chunkBody(job, 11)]);
    await put(harness.queueUrls.controlDlq, [splitBody(job)]);

    expect(await queues.list({ queue: 'all', max: 3 })).toHaveLength(3);
    const chunks = await queues.list({ queue: 'chunks', max: 100 });
    expect(chunks).toHaveLength(12);
    expect(new Set(chunks.map((l) => l.summary.chunkIndex)).size).toBe(12);
    expect(await queues.list({ queue: 'control', max: 100 })).toHaveLength(1);
  });
});

describe('dead-letter queue redrive', () => {
  it('moves messages back to the queue they died in, by job and bounded by max', async () => {
    const [jobA, jobB] = [
      await createJob(harness.app, { fileName: 'a.csv' }),
      await createJob(harness.app, { fileName: 'a.csv' }),
    ];
    const bodiesA = [0, 1, 2].map((i) => chunkBody(jobA, i));
    await put(harness.queueUrls.chunkDlq, [...bodiesA, chunkBody(jobB, 0), chunkBody(jobB, 1)]);
    await put(harness.queueUrls.controlDlq, [splitBody(jobB), 'not json']);

    const onlyA = await queues.redrive({ queue: 'all', max: Infinity, jobId: jobA });
    expect(onlyA).toMatchObject([
      { queue: 'control', moved: 0, skipped: { otherJob: 2 } },
      { queue: 'chunks', moved: 3, skipped: { otherJob: 2 }, failed: [], duplicated: [] },
    ]);
    expect(await drain(harness.queueUrls.chunk)).toEqual([...bodiesA].sort());
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(2);

    const one = await queues.redrive({ queue: 'chunks', max: 1 });
    expect(one).toMatchObject([{ queue: 'chunks', moved: 1 }]);
    expect(await drain(harness.queueUrls.chunk)).toHaveLength(1);
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(1);

    const rest = await queues.redrive({ queue: 'all', max: Infinity });
    expect(rest).toMatchObject([
      { queue: 'control', moved: 1, skipped: { invalid: 1 } },
      { queue: 'chunks', moved: 1 },
    ]);
    expect(await drain(harness.queueUrls.control)).toEqual([splitBody(jobB)]);
    // The unreadable body would only die again: it stays for a human to look at.
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.controlDlq)).toBe(1);
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(0);
  });

  it('never moves a message that arrived after the pass started (no redrive loops)', async () => {
    const job = await createJob(harness.app, { fileName: 'a.csv' });
    await put(harness.queueUrls.chunkDlq, [chunkBody(job, 0)]);
    const fromThePast = new DeadLetterQueues({
      sqs: harness.clients.sqs,
      routes: deadLetterRoutes(harness.queueUrls),
      now: () => 0,
    });
    expect(await fromThePast.redrive({ queue: 'chunks', max: 10 })).toMatchObject([
      { moved: 0, skipped: { newerThanPass: 1 } },
    ]);
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(1);
  });
});

describe('npm run dlq', () => {
  /** Runs the command until its output shows `expected`. */
  async function runUntil(argv: readonly string[], expected: string): Promise<string> {
    return waitFor(
      async () => {
        const run = captured();
        expect(await runDlqCommand(argv, cliEnv(), run.io)).toBe(0);
        const text = run.out.join('\n');
        return text.includes(expected) ? text : undefined;
      },
      { timeoutMs: 8000, intervalMs: 1500, what: `"${expected}" from dlq ${argv.join(' ')}` },
    );
  }

  it('lists as JSON and as a table, and redrives one job, with the worker environment', async () => {
    const job = await createJob(harness.app, { fileName: 'a.csv' });
    await put(harness.queueUrls.chunkDlq, [chunkBody(job, 4), chunkBody(randomUUID(), 0)]);

    const list = captured();
    expect(await runDlqCommand(['list', '--queue', 'chunks', '--json'], cliEnv(), list.io)).toBe(0);
    const listing = JSON.parse(list.out.join('\n'));
    expect(listing.depths).toEqual([{ queue: 'chunks', visible: 2, inFlight: 0 }]);
    expect(listing.messages).toHaveLength(2);

    const table = await runUntil(['list'], `${job}  4      awaiting_upload`);
    expect(table).toMatch(
      /QUEUE\s+MESSAGE ID\s+RECEIVES\s+SENT \(UTC\)\s+TYPE\s+JOB\s+CHUNK\s+JOB STATUS/,
    );
    expect(table).toMatch(/SQS cannot peek/);

    await runUntil(
      ['redrive', '--job', job],
      `${PREFIX}-chunks-dlq: moved 1 back to their work queue; left in the DLQ: 1 of other jobs`,
    );
    expect(await drain(harness.queueUrls.chunk)).toEqual([chunkBody(job, 4)]);
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(1);
  });

  it('answers a bad command line with the usage and exit code 2, a missing queue with 1', async () => {
    const bad = captured();
    expect(await runDlqCommand(['list', '--max', '0'], cliEnv(), bad.io)).toBe(2);
    expect(bad.err.join('\n')).toMatch(/--max is at least 1\nusage: npm run dlq -- list/);

    const missing = captured();
    const env = { ...cliEnv(), RESOURCE_PREFIX: 'nothing-here' };
    expect(await runDlqCommand(['list'], env, missing.io)).toBe(1);
    expect(missing.err.join('\n')).toMatch(
      /queue nothing-here-control does not exist \(is it provisioned\?\)/,
    );
  });
});

describe('redrive after a crash', () => {
  it('brings back the chunks of a job whose worker died on their last attempt, and the job completes', async () => {
    let unblock: (reason: Error) => void = () => undefined;
    const blocked = new Promise<never>((_, reject) => {
      unblock = reject;
    });
    blocked.catch(() => undefined);
    // The first worker hangs in every chunk of this job, like a process about to be killed.
    const crashing = harness.startWorker({
      enrichers: cachedEnricherProvider(() => blocked),
    });
    const submitted = await request(harness.app)
      .post('/v1/jobs?fileName=crash.csv&chunkRows=10')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(contactFile(30, { seed: 4 }));
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    await waitFor(
      async () => {
        const job = await harness.jobs.get(id);
        const { inFlight } = await queueCounts(harness.clients.sqs, harness.queueUrls.chunk);
        return job?.status === 'processing' && inFlight === 3 ? true : undefined;
      },
      { what: 'three chunks held by the crashing worker' },
    );

    // It dies holding them: they come back having used their only delivery, and the next
    // receive (any worker's) moves them to the DLQ. The job stays in processing.
    await crashing.stop();
    const next = await harness.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: harness.queueUrls.chunk, WaitTimeSeconds: 0 }),
    );
    expect(next.Messages).toBeUndefined();
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(3);
    expect((await harness.jobs.get(id))?.status).toBe('processing');
    const stuck = await queues.list({ queue: 'chunks', max: 10 });
    expect(stuck.map((l) => [l.summary.jobId, l.jobStatus])).toEqual([
      [id, 'processing'],
      [id, 'processing'],
      [id, 'processing'],
    ]);

    harness.startWorker({
      enrichers: cachedEnricherProvider((job) =>
        Promise.resolve(createPassthroughEnricher(job.columns)),
      ),
    });
    const redrive = captured();
    expect(
      await runDlqCommand(['redrive', '--queue', 'chunks', '--job', id], cliEnv(), redrive.io),
    ).toBe(0);
    expect(redrive.out.join('\n')).toContain('moved 3');

    const done = await waitFor(
      async () => {
        const job = await harness.jobs.get(id);
        return job?.status === 'completed' || job?.status === 'failed' ? job : undefined;
      },
      { what: `job ${id} to finish after the redrive` },
    );
    expect(done).toMatchObject({ status: 'completed', rowsProcessed: 30, chunksDone: 3 });
    expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(0);
    unblock(new Error('the crashed worker is gone'));
  });
});
