import { createPassthroughEnricher } from '@contacts/enrichment';
import {
  createLogger,
  DependencyError,
  JobStateConflictError,
  objectKeys,
  ObjectStore,
  MessagePublisher,
  type ChunkMessage,
  type ControlMessage,
  type Job,
  type MergeMessage,
  type SplitMessage,
} from '@contacts/shared';
import {
  DeferDeliveryError,
  handleChunk,
  handleMerge,
  handleSplit,
  parseCsvText,
  type DeliveryContext,
  type EnricherProvider,
  type PipelineDeps,
} from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactFile, startHarness, TENANT_A, waitFor, type Harness } from '../src/index.ts';

/**
 * Deliveries driven by hand: a step runs with a chosen message id, chunks run the moment split
 * sends them, and a "crash" is a send that throws. The queues and tables are the emulators'.
 */
const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const logger = createLogger({ level: 'silent', name: 'redelivery' });
const passthrough: EnricherProvider = (job: Job) =>
  Promise.resolve(createPassthroughEnricher(job.columns ?? []));
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-redelivery' });
});

afterAll(async () => {
  await harness.close();
});

/** A publisher whose chunk messages run at once, in this process, and whose control sends go to `onControl`. */
class InlinePublisher extends MessagePublisher {
  readonly #deps: () => PipelineDeps;
  readonly #onControl: (message: ControlMessage) => Promise<void>;

  constructor(deps: () => PipelineDeps, onControl: (message: ControlMessage) => Promise<void>) {
    super({
      sqs: harness.clients.sqs,
      controlQueueUrl: harness.queueUrls.control,
      chunkQueueUrl: harness.queueUrls.chunk,
    });
    this.#deps = deps;
    this.#onControl = onControl;
  }

  override async sendChunks(messages: readonly ChunkMessage[]): Promise<void> {
    for (const message of messages)
      await handleChunk(this.#deps(), message, delivery(`chunk-${message.index}`));
  }

  override async sendControl(message: ControlMessage): Promise<void> {
    await this.#onControl(message);
  }
}

function pipeline(options: {
  onControl: (message: ControlMessage) => Promise<void>;
  enrichers?: EnricherProvider;
  leaseMs?: number;
}): PipelineDeps {
  const deps: PipelineDeps = {
    jobs: harness.jobs,
    objects: harness.objects,
    publisher: new InlinePublisher(() => deps, options.onControl),
    enrichers: options.enrichers ?? passthrough,
    logger,
    leaseMs: options.leaseMs ?? 60_000,
    maxRowBytes: harness.config.worker.maxRowBytes,
  };
  return deps;
}

/** One delivery of a message; no heartbeats, so a lease lasts `leaseMs` unless the step ends. */
function delivery(messageId: string): DeliveryContext {
  return {
    messageId,
    receiveCount: 1,
    isLastAttempt: false,
    signal: new AbortController().signal,
    onHeartbeat: () => undefined,
    markLight: () => undefined,
    markFinishing: () => undefined,
    logger,
  };
}

/** Uploads a file through the API: the job is queued and its split message waits in the queue. */
async function submit(rows: number, fileName: string): Promise<string> {
  const res = await request(harness.app)
    .post('/v1/jobs')
    .query({ fileName, chunkRows: '10' })
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(contactFile(rows, { seed: rows }));
  expect(res.status).toBe(202);
  return res.body.id as string;
}

async function status(id: string): Promise<Job> {
  const job = await harness.jobs.get(id);
  if (job === undefined) throw new Error(`job ${id} is gone`);
  return job;
}

function splitOf(jobId: string): SplitMessage {
  return { type: 'job.split', v: 1, jobId, tenantId: TENANT_A.tenantId };
}

describe('redelivered control messages', () => {
  it('lets only one delivery of a merge message hold its lease, until that lease expires', async () => {
    const id = await submit(25, 'lease.csv');
    const merges: MergeMessage[] = [];
    const captureMerge = (message: ControlMessage): Promise<void> => {
      if (message.type === 'job.merge') merges.push(message);
      return Promise.resolve();
    };
    await handleSplit(pipeline({ onControl: captureMerge }), splitOf(id), delivery('split-1'));
    expect(merges).toEqual([expect.objectContaining({ type: 'job.merge', jobId: id })]);

    // Merges stop at the enricher until the gate opens, holding their lease meanwhile.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let mergesRunning = 0;
    const gated: EnricherProvider = async (job) => {
      if (job.status === 'merging') {
        mergesRunning++;
        await gate;
      }
      return passthrough(job);
    };
    const leaseMs = 5000;
    const deps = pipeline({ onControl: () => Promise.resolve(), enrichers: gated, leaseMs });
    const first = handleMerge(deps, merges[0]!, delivery('merge-message'));
    const claimed = await waitFor(
      async () => ((await status(id)).status === 'merging' ? await status(id) : undefined),
      { what: 'the first delivery to claim the merge' },
    );

    // SQS hands the same message out again (its visibility lapsed) while the first runs: it is
    // deferred until the lease ends (not deleted: if the first delivery died, nobody would merge).
    const again = handleMerge(deps, merges[0]!, delivery('merge-message'));
    await expect(again).rejects.toBeInstanceOf(DeferDeliveryError);
    const deferral = (await again.catch((error: unknown) => error)) as DeferDeliveryError;
    expect(deferral.retryAfterSeconds).toBeGreaterThan(0);
    expect(deferral.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(leaseMs / 1000) + 1);
    expect(Date.now()).toBeLessThan(claimed.leaseUntil!);
    expect(mergesRunning).toBe(1);
    expect(await status(id)).toMatchObject({ status: 'merging', leaseHolder: claimed.leaseHolder });

    // Once the first delivery's lease expires (it stopped renewing), a delivery takes it over.
    await waitFor(() => Promise.resolve(Date.now() > claimed.leaseUntil! + 50 ? true : undefined), {
      timeoutMs: leaseMs * 2,
    });
    const takeover = handleMerge(deps, merges[0]!, delivery('merge-message'));
    await waitFor(() => Promise.resolve(mergesRunning === 2 ? true : undefined), {
      what: 'the takeover to start merging',
    });
    open();
    await expect(first).rejects.toBeInstanceOf(JobStateConflictError);
    await takeover;
    expect(await status(id)).toMatchObject({ status: 'completed', rowsProcessed: 25 });
  });

  it('re-sends a lost merge when a split is redelivered after every chunk finished', async () => {
    const id = await submit(25, 'split-redelivery.csv');
    // The first delivery's chunks all finish before it moves the job to processing; then the
    // worker dies before the merge message leaves.
    await expect(
      handleSplit(
        pipeline({
          onControl: () => Promise.reject(new Error('worker died before sending the merge')),
        }),
        splitOf(id),
        delivery('split-1'),
      ),
    ).rejects.toThrow(/worker died/);
    expect(await status(id)).toMatchObject({ status: 'processing', chunksTotal: 3, chunksDone: 3 });

    // The split message is still in the control queue (the crashed delivery never deleted it):
    // a real worker receives it again.
    harness.startWorker({ enrichers: passthrough });
    const done = await waitFor(
      async () => {
        const job = await status(id);
        return job.status === 'completed' ? job : undefined;
      },
      { timeoutMs: 30_000, what: `job ${id} to complete` },
    );
    expect(done).toMatchObject({ rowsProcessed: 25, chunksDone: 3 });
    const output = await harness.objects.read(done.resultKey!);
    const text = Buffer.concat((await output.toArray()) as Buffer[]).toString('utf8');
    expect(await parseCsvText(text)).toHaveLength(26);
  });

  it('gives the lease of a failed split back, so the retry of its message runs at once', async () => {
    // Queued without a split message: the worker another test started must not take it.
    const created = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'split-retry.csv', chunkRows: 10 });
    const id = created.body.id as string;
    const file = contactFile(25, { seed: 25 });
    await harness.objects.put(objectKeys.upload({ id, tenantId: TENANT_A.tenantId }), file);
    await harness.jobs.transition(id, {
      from: ['awaiting_upload'],
      to: 'queued',
      set: { sourceBytes: Buffer.byteLength(file) },
    });
    // S3 fails the first read: a transient error, retried after a backoff shorter than a lease.
    class FlakyObjects extends ObjectStore {
      override read(key: string, _options?: { ifMatch?: string }): ReturnType<ObjectStore['read']> {
        return Promise.reject(new DependencyError(`S3 read of ${key} failed (test)`));
      }
    }
    const flaky = {
      ...pipeline({ onControl: () => Promise.resolve() }),
      objects: new FlakyObjects({
        s3: harness.clients.s3,
        bucket: harness.config.resources.bucket,
      }),
    };
    await expect(handleSplit(flaky, splitOf(id), delivery('split-msg'))).rejects.toBeInstanceOf(
      DependencyError,
    );
    const failed = await status(id);
    expect(failed.status).toBe('splitting');
    expect(failed.leaseHolder).toBeUndefined();

    const merges: ControlMessage[] = [];
    const retry = pipeline({ onControl: (m) => Promise.resolve(void merges.push(m)) });
    await handleSplit(retry, splitOf(id), delivery('split-msg'));
    expect(await status(id)).toMatchObject({ status: 'processing', chunksTotal: 3, chunksDone: 3 });
    expect(merges).toEqual([expect.objectContaining({ type: 'job.merge', jobId: id })]);
  });
});
