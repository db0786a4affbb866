import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createPassthroughEnricher } from '@contacts/enrichment';
import { cachedEnricherProvider } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactFile, startHarness, TENANT_A, waitFor, type Harness } from '../src/index.ts';

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
let harness: Harness;
/** Jobs whose file name starts with "explode" have an enricher that always throws. */
const explodingEnrichers = cachedEnricherProvider((job) => {
  if (job.fileName.startsWith('explode')) return Promise.reject(new Error('enricher exploded'));
  return Promise.resolve(createPassthroughEnricher(job.columns));
});

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-failures', env: { MAX_RECEIVE_COUNT: '2' } });
  harness.startWorker({ enrichers: explodingEnrichers });
});

afterAll(async () => {
  await harness.close();
});

async function submit(body: string, fileName: string): Promise<string> {
  const res = await request(harness.app)
    .post(`/v1/jobs?fileName=${fileName}`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(body);
  expect(res.status).toBe(202);
  return res.body.id as string;
}

async function finalState(id: string): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const res = await request(harness.app).get(`/v1/jobs/${id}`).set(auth);
      return ['completed', 'failed'].includes(res.body.status)
        ? (res.body as Record<string, any>)
        : undefined;
    },
    { timeoutMs: 45_000, what: `job ${id} to finish` },
  );
}

async function visibleMessages(queueUrl: string): Promise<number> {
  const output = await harness.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(output.Attributes?.ApproximateNumberOfMessages ?? 0);
}

describe('failures end jobs with a reason, never stuck', () => {
  it('a chunk that always fails is retried a bounded number of times, then the job fails and the message is dead-lettered', async () => {
    const id = await submit(contactFile(20, { seed: 9 }), 'explode.csv');
    const job = await finalState(id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('processing_failed');
    expect(job.error.message).toMatch(/failed 2 times/);
    await waitFor(
      async () => ((await visibleMessages(harness.queueUrls.chunkDlq)) >= 1 ? true : undefined),
      {
        timeoutMs: 20_000,
        what: 'the chunk message in the DLQ',
      },
    );
  });

  it('a malformed message goes straight to the dead-letter queue', async () => {
    const before = await visibleMessages(harness.queueUrls.controlDlq);
    await harness.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: harness.queueUrls.control,
        MessageBody: '{"type":"job.split","v":9}',
      }),
    );
    await waitFor(
      async () =>
        (await visibleMessages(harness.queueUrls.controlDlq)) > before ? true : undefined,
      { what: 'the malformed message in the DLQ' },
    );
  });

  it('an empty file fails its job with a clear reason', async () => {
    const job = await finalState(await submit('', 'empty.csv'));
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'file_empty', message: 'the file is empty' });
  });

  it('a header-only file completes with no rows', async () => {
    const job = await finalState(await submit('First Name,Email\r\n', 'header.csv'));
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rowsTotal: 0, rowsProcessed: 0, chunksTotal: 0 });
    const output = await (await fetch(job.result.url)).text();
    expect(output).toBe('First Name,Email,match_status,match_id,match_score,match_reason\n');
  });

  it('a quote that never closes fails the job and says so', async () => {
    const job = await finalState(await submit('a,b\n1,"open\n2,3\n', 'quote.csv'));
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('unbalanced_quote');
  });

  it('rows with the wrong number of fields are kept, marked rejected and listed in the rejects file', async () => {
    const job = await finalState(await submit('a,b\n1,2\n3\n4,5,6\n7,8\n', 'ragged.csv'));
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rowsTotal: 4, rowsProcessed: 4, rowsRejected: 2 });
    const output = await (await fetch(job.result.url)).text();
    expect(
      output
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(',')[2]),
    ).toEqual(['match_status', 'none', 'rejected', 'rejected', 'none']);
    const rejects = await (await fetch(job.result.rejectsUrl)).text();
    expect(rejects).toBe(
      'row_number,reason\n2,"row has 1 fields, header has 2"\n3,"row has 3 fields, header has 2"\n',
    );
  });

  it('neutralizes spreadsheet formulas in the output', async () => {
    const job = await finalState(
      await submit(
        'Name,Note,Phone\nAnn,=HYPERLINK("http://evil"),+1 415 555 0132\n',
        'formula.csv',
      ),
    );
    expect(job.status).toBe('completed');
    const output = await (await fetch(job.result.url)).text();
    expect(output.split('\n')[1]).toBe(
      `Ann,"'=HYPERLINK(""http://evil"")",+1 415 555 0132,none,,0,`,
    );
  });
});
