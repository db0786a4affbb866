import request from 'supertest';
import { queueCounts } from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contactFile,
  exitOf,
  spawnWorkerProcess,
  startHarness,
  TENANT_A,
  waitFor,
  type Harness,
} from '../src/index.ts';

const SHUTDOWN_DEADLINE_SECONDS = 2;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-shutdown',
    env: { VISIBILITY_TIMEOUT_SECONDS: '30' },
  });
});

afterAll(async () => {
  await harness.close();
});

describe('worker process shutdown', () => {
  it('on SIGTERM mid-job, exits 0 within its deadline and leaves no message hidden', async () => {
    const res = await request(harness.app)
      .post('/v1/jobs')
      .query({ fileName: 'busy.csv', chunkRows: '200' })
      .set('Authorization', `Bearer ${TENANT_A.key}`)
      .set('Content-Type', 'text/csv')
      .send(contactFile(40_000, { seed: 11 }));
    expect(res.status).toBe(202);
    const id = res.body.id as string;

    const worker = spawnWorkerProcess({
      env: {
        ...harness.emulators.env,
        RESOURCE_PREFIX: 'e2e-shutdown',
        VISIBILITY_TIMEOUT_SECONDS: '30',
        POLL_WAIT_SECONDS: '1',
        SHUTDOWN_DEADLINE_SECONDS: String(SHUTDOWN_DEADLINE_SECONDS),
        LOG_LEVEL: 'silent',
      },
    });
    await waitFor(
      async () => {
        const job = await harness.jobs.get(id);
        return job !== undefined && job.chunksDone >= 3 ? true : undefined;
      },
      { timeoutMs: 45_000, what: 'the worker to be busy with chunks' },
    );
    const signalled = Date.now();
    worker.kill('SIGTERM');
    await exitOf(worker);
    const stoppedAfterMs = Date.now() - signalled;

    expect(worker.exitCode).toBe(0);
    expect(stoppedAfterMs).toBeLessThan((SHUTDOWN_DEADLINE_SECONDS + 3) * 1000);
    // Finished or handed back: with a 30 s visibility timeout, anything still hidden now was
    // abandoned rather than released.
    expect((await queueCounts(harness.clients.sqs, harness.queueUrls.chunk)).inFlight).toBe(0);
    expect((await queueCounts(harness.clients.sqs, harness.queueUrls.control)).inFlight).toBe(0);

    // Another worker takes over and the job completes with every row.
    harness.startWorker();
    const job = await waitFor(
      async () => {
        const current = await harness.jobs.get(id);
        return current?.status === 'completed' ? current : undefined;
      },
      { timeoutMs: 60_000, what: 'the job to complete' },
    );
    expect(job.rowsProcessed).toBe(40_000);
  });
});
