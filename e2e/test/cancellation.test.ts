import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createPassthroughEnricher } from '@contacts/enrichment';
import { allChunksDone, objectKeys, type Job } from '@contacts/shared';
import type { EnricherProvider } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contactFile,
  download,
  getJob,
  startHarness,
  submitCsv,
  TENANT_A,
  TENANT_B,
  waitFor,
  waitForJob,
  type Harness,
} from '../src/index.ts';

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
let harness: Harness;

/**
 * Jobs named "slow-chunks…" take 150 ms per chunk and "slow-merge…" 2 s to start merging, so a
 * test can cancel them mid-flight. Every call is timed, to see what ran after a cancel.
 */
const enricherCalls: { jobId: string; at: number }[] = [];
const mergeAttempts: string[] = [];
const slowEnrichers: EnricherProvider = async (job: Job) => {
  enricherCalls.push({ jobId: job.id, at: Date.now() });
  if (job.fileName.startsWith('slow-chunks')) await sleep(150);
  if (job.fileName.startsWith('slow-merge') && allChunksDone(job)) {
    mergeAttempts.push(job.id);
    await sleep(2000);
  }
  return createPassthroughEnricher(job.columns ?? []);
};

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-cancel', env: { CHUNK_CONCURRENCY: '2' } });
  harness.startWorker({ enrichers: slowEnrichers });
});

afterAll(async () => {
  await harness.close();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await harness.clients.s3.send(
    new ListObjectsV2Command({ Bucket: harness.config.resources.bucket, Prefix: prefix }),
  );
  return (page.Contents ?? []).map((object) => object.Key!);
}

function cancel(id: string, key = TENANT_A.key): request.Test {
  return request(harness.app).post(`/v1/jobs/${id}/cancel`).set('Authorization', `Bearer ${key}`);
}

describe('cancellation', () => {
  it('stops a running job: queued chunks never run, counts stop, no result is published', async () => {
    const id = await submitCsv(harness.app, contactFile(2000, { seed: 3 }), {
      fileName: 'slow-chunks.csv',
      chunkRows: '50',
    });
    await waitFor(
      async () => ((await getJob(harness.app, id)).progress.chunksDone >= 2 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 20,
        what: 'two chunks done',
      },
    );
    const res = await cancel(id);
    const cancelledAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const countedAtCancel = (await getJob(harness.app, id)).progress.chunksDone as number;

    await sleep(1500);
    const after = await getJob(harness.app, id);
    expect(after.status).toBe('cancelled');
    expect(after.result).toBeUndefined();
    // Chunks in flight at the cancel (at most the worker's concurrency) may finish, but none
    // is counted; no chunk starts after it.
    expect(after.progress.chunksDone).toBe(countedAtCancel);
    expect(after.progress.chunksDone).toBeLessThan(40);
    const startedLater = enricherCalls.filter((c) => c.jobId === id && c.at > cancelledAt + 200);
    expect(startedLater).toEqual([]);
    const ref = { tenantId: TENANT_A.tenantId, id };
    expect(await keysUnder(`results/${TENANT_A.tenantId}/${id}/`)).toEqual([]);
    expect(await keysUnder(objectKeys.workPrefix(ref))).toEqual([]);
  });

  it('a job cancelled while merging publishes nothing, even once the merge wrote its output', async () => {
    const id = await submitCsv(harness.app, contactFile(30, { seed: 4 }), {
      fileName: 'slow-merge.csv',
      chunkRows: '10',
    });
    await waitForJob(harness.app, id, { statuses: ['merging'] });
    // Straight through the store: the API would also delete the parts, and then the merge
    // would fail early on reading them instead of writing a result first.
    expect((await harness.jobs.cancel(id))?.status).toBe('cancelled');
    await sleep(3500);
    const after = await getJob(harness.app, id);
    expect(after.status).toBe('cancelled');
    expect(after.result).toBeUndefined();
    expect(await keysUnder(`results/${TENANT_A.tenantId}/${id}/`)).toEqual([]);
  });

  it('a merge cancelled through the API, which deletes its parts under it, publishes nothing', async () => {
    const id = await submitCsv(harness.app, contactFile(30, { seed: 6 }), {
      fileName: 'slow-merge-api.csv',
      chunkRows: '10',
    });
    await waitForJob(harness.app, id, { statuses: ['merging'] });
    expect((await cancel(id)).body.status).toBe('cancelled');
    // Long enough for the merge to fail on its deleted parts and for a redelivery to come.
    await sleep(4500);
    const after = await getJob(harness.app, id);
    expect(after.status).toBe('cancelled');
    expect(mergeAttempts.filter((jobId) => jobId === id)).toHaveLength(1);
    expect(await keysUnder(`results/${TENANT_A.tenantId}/${id}/`)).toEqual([]);
  });

  it('is idempotent, refuses finished jobs and hides other tenants’ jobs', async () => {
    const done = await submitCsv(harness.app, 'a,b\n1,2\n', { fileName: 'small.csv' });
    await waitForJob(harness.app, done, { statuses: ['completed'] });
    const refused = await cancel(done);
    expect(refused.status).toBe(409);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body.detail).toMatch(/completed; only unfinished jobs can be cancelled/);

    const other = await submitCsv(harness.app, contactFile(500, { seed: 5 }), {
      fileName: 'slow-chunks-2.csv',
      chunkRows: '50',
    });
    expect((await cancel(other, TENANT_B.key)).status).toBe(404);
    expect((await cancel(other)).body.status).toBe('cancelled');
    const again = await cancel(other);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('cancelled');
    expect((await cancel('not-a-uuid')).status).toBe(400);
  });
});

describe('tolerated share of rejected rows', () => {
  // Four of ten rows have the wrong number of fields: 40 % rejected.
  const file = ['a,b', ...Array.from({ length: 10 }, (_, i) => (i % 5 < 2 ? `${i}` : `${i},x`))]
    .join('\n')
    .concat('\n');

  it('over the cap, the job fails with the counts and links only the rejects', async () => {
    const id = await submitCsv(harness.app, file, {
      fileName: 'mostly-bad.csv',
      toleratedRejectPercent: '25',
    });
    const job = await waitForJob(harness.app, id);
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({
      code: 'too_many_rejected_rows',
      message:
        '4 of 10 rows (40.0%) were rejected; the job tolerates at most 25%. The rejects file lists each row and why.',
    });
    expect(job.progress).toMatchObject({ rowsProcessed: 10, rowsRejected: 4 });
    expect(job.result.url).toBeUndefined();
    const rejects = await download(job.result.rejectsUrl as string);
    expect(rejects.trim().split('\n')).toEqual([
      'row_number,reason',
      '1,"row has 1 fields, header has 2"',
      '2,"row has 1 fields, header has 2"',
      '6,"row has 1 fields, header has 2"',
      '7,"row has 1 fields, header has 2"',
    ]);
    expect(await keysUnder(`results/${TENANT_A.tenantId}/${id}/enriched`)).toEqual([]);
  });

  it('under the cap, the job completes and lists each rejected row', async () => {
    const id = await submitCsv(harness.app, file, {
      fileName: 'some-bad.csv',
      toleratedRejectPercent: '40',
    });
    const job = await waitForJob(harness.app, id);
    expect(job.status).toBe('completed');
    expect(job.options.toleratedRejectPercent).toBe(40);
    const output = await download(job.result.url as string);
    expect(output.trim().split('\n')).toHaveLength(11);
    const rejects = await download(job.result.rejectsUrl as string);
    expect(
      rejects
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    ).toEqual(['1', '2', '6', '7']);
  });

  it('refuses a share outside 0–100', async () => {
    const res = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'x.csv', toleratedRejectPercent: 150 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'toleratedRejectPercent', message: 'must be between 0 and 100' },
    ]);
  });
});
